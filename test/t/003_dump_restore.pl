# pg_dump / pg_restore into a new database keeps every row of every
# extension table (customers, labels, segments, what customers hold, and
# whatever tables the extension has), row level security, and the cursor
# key: cursors issued before the dump still work after the restore.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use CustomersTest;

my $node = node_with_app('dump', 'source');

fill_every_table($node, 'source');
sub tables { return extension_tables($node, $_[0]); }
sub contents { return table_contents($node, @_); }

# Cursors issued before the dump, and the pages they lead to
my $request = q{'{"limit": 3, "sort": {"orderBy": "NAME"}, "filter": {"customData": {"contains": {"plan": "gold"}}}}'};
sub page
{
	my ($db, $cursor) = @_;
	my $req = defined $cursor ? "jsonb_set($request, '{cursor}', to_jsonb('$cursor'::text))" : $request;
	return $node->safe_psql($db, "SET ROLE app; SET customers.tenant_id = 'acme'; SELECT customers.query($req)");
}
my $first = page('source');
my ($after) = $first =~ /"after": "([^"]+)"/;
ok(defined $after, 'the first page has a cursor.after');
my $second = page('source', $after);
my ($before) = $second =~ /"before": "([^"]+)"/;
ok(defined $before, 'the second page has a cursor.before');
my $get = $node->safe_psql('source', "SET customers.tenant_id = 'globex'; SELECT customers.get('cus_8')");
# the other paginated lists: users and history, first pages and their cursors
sub list_page
{
	my ($db, $call) = @_;
	return $node->safe_psql($db, "SET customers.tenant_id = 'acme'; SELECT $call");
}
my $users = list_page('source', q{customers.users('cus_1', '{"limit": 2}')});
my ($users_after) = $users =~ /"after": "([^"]+)"/;
ok(defined $users_after, 'the users list has a cursor.after');
my $users_next = list_page('source', "customers.users('cus_1', jsonb_build_object('limit', 2, 'cursor', '$users_after'))");
my $methods = list_page('source', q{customers.payment_methods('cus_1')});
my $history = list_page('source', q{customers.history('cus_1', '{}')});

my @tables = tables('source');
cmp_ok(scalar(@tables), '>=', 8, 'the extension has tables: ' . join(', ', @tables));
for my $table (grep { $_ ne 'cursor_key' } @tables)
{
	cmp_ok(contents('source', $table), '!~', qr/^0\n/, "customers.$table has rows to dump");
}

my $dump = $node->basedir . '/source.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('source'), '-f', $dump ], 'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), $dump ],
	'pg_restore into a new database');

# the plain format through psql, as well
my $plain = $node->basedir . '/source.sql';
$node->command_ok([ 'pg_dump', '-d', $node->connstr('source'), '-f', $plain ], 'pg_dump (plain)');
$node->safe_psql('postgres', 'CREATE DATABASE restored_plain');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('restored_plain'), '-f', $plain ],
	'psql restores the plain dump');

for my $db ('restored', 'restored_plain')
{
	is_deeply([ tables($db) ], \@tables, "$db: the same extension tables");
	for my $table (grep { $_ ne 'cursor_key' } @tables)
	{
		is(contents($db, $table), contents('source', $table), "$db: customers.$table has every row, unchanged");
	}
	# the restore's own CREATE EXTENSION made a new key; the dumped, older one is kept and used
	is( $node->safe_psql($db,
			'SELECT count(*) FROM customers.cursor_key r WHERE (r.key_id, r.key, r.created_at) IN ('
			  . join(',', map { "('$_->[0]'::uuid, '$_->[1]'::bytea, '$_->[2]'::timestamptz)" }
				  map { [ split /\|/ ] }
				  split /\n/, $node->safe_psql('source', 'SELECT key_id, key, created_at FROM customers.cursor_key'))
			  . ')'),
		$node->safe_psql('source', 'SELECT count(*) FROM customers.cursor_key'),
		"$db: the cursor key is restored");

	is(page($db), $first, "$db: the first page is the same");
	is(page($db, $after), $second, "$db: a cursor.after issued before the dump returns the same next page");
	is(page($db, $before), $first, "$db: a cursor.before issued before the dump returns the same previous page");
	is($node->safe_psql($db, "SET customers.tenant_id = 'globex'; SELECT customers.get('cus_8')"),
		$get, "$db: get returns the same document");
	is(list_page($db, "customers.users('cus_1', jsonb_build_object('limit', 2, 'cursor', '$users_after'))"),
		$users_next, "$db: a users cursor issued before the dump returns the same next page");
	is(list_page($db, q{customers.payment_methods('cus_1')}), $methods, "$db: the same payment methods");
	is(list_page($db, q{customers.history('cus_1', '{}')}), $history, "$db: the same history");
	is( $node->safe_psql($db,
			q{SELECT count(*) FROM pg_class WHERE relnamespace = 'customers'::regnamespace AND relkind = 'r'
			  AND relrowsecurity AND relforcerowsecurity}),
		scalar(@tables),
		"$db: row level security is enabled and forced on every table");
	is( $node->safe_psql($db,
			q{SET customers.tenant_id = 'acme'; SELECT customers.save('{"data": [{"id": "cus_new", "name": "After restore"}]}') ->> 'result'}),
		'SUCCESS',
		"$db: saving works after the restore");
}

$node->stop;
done_testing();
