# pg_upgrade from older PostgreSQL majors to this one, with the extension
# installed and rows in every table: a cluster of the oldest major in
# CUSTOMERS_UPGRADE_BINDIRS (bin directories, oldest first, each with the
# extension installed) is upgraded through every later one to this one.
# Every row, the cursor key (cursors issued before work after), row level
# security and the extension's version survive, the indexes pass amcheck, and
# the functions work. scripts/test.sh sets the variable (15 for a newer major);
# without it, there is nothing to upgrade from and the test is skipped.
use strict;
use warnings;

use File::Basename;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use CustomersTest;

my @old_bindirs = split ' ', ($ENV{CUSTOMERS_UPGRADE_BINDIRS} // '');
plan skip_all => 'no older major to upgrade from (CUSTOMERS_UPGRADE_BINDIRS is empty)'
  unless @old_bindirs;

# Data checksums on every major: 18 enables them by default, older ones do not,
# and pg_upgrade needs both clusters alike.
my @initdb = ('--data-checksums');

my $old = PostgreSQL::Test::Cluster->new('major0', install_path => dirname($old_bindirs[0]));
$old->init(extra => \@initdb);
$old->start;
my $bindir = `pg_config --bindir`;
chomp $bindir;

# Debian 12's 15.20 (a security release) stamps every column with the
# attribute option pg_attver; a newer major that predates the same fix (sid's
# 18.6) does not know the option, and pg_upgrade fails on the first table.
# Then the test removes the stamp from the old catalog, as a superuser, right
# before the upgrade: the one edit the test makes to what it upgrades, so the
# extension's objects and rows still go through pg_upgrade for real. A real
# deployment upgrades to a release of the newer major from the same round.
$old->safe_psql('postgres', 'CREATE TABLE attver_probe (a int)');
my $stamped = $old->safe_psql('postgres',
	q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'attver_probe'::regclass
	  AND array_to_string(attoptions, ',') LIKE '%pg_attver=%'});
$old->safe_psql('postgres', 'DROP TABLE attver_probe');
my $unstamp = 0;
if ($stamped)
{
	my $n = 0;
	for my $target (@old_bindirs[ 1 .. $#old_bindirs ], $bindir)
	{
		my $probe = PostgreSQL::Test::Cluster->new('probe' . $n++, install_path => dirname($target));
		$probe->init;
		$probe->start;
		my ($ret) = $probe->psql('postgres',
			'CREATE TABLE p (a int); ALTER TABLE p ALTER COLUMN a SET (pg_attver = 1)');
		$probe->stop;
		$unstamp = 1 if $ret != 0;
	}
}
$old->safe_psql(
	'postgres', q{
CREATE EXTENSION customers CASCADE;
CREATE ROLE app LOGIN;
GRANT USAGE ON SCHEMA customers TO app;
CREATE ROLE reader LOGIN;
GRANT USAGE ON SCHEMA customers TO reader;
GRANT SELECT ON ALL TABLES IN SCHEMA customers TO reader;
});
fill_every_table($old, 'postgres');

# What must survive, read on the old major
my $extversion_sql = q{SELECT extversion FROM pg_extension WHERE extname = 'customers'};
my $rls_sql = q{
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
	SELECT format('table %s rls %s forced %s', relname, relrowsecurity, relforcerowsecurity) AS x
	FROM pg_class WHERE relnamespace = 'customers'::regnamespace AND relkind = 'r'
	UNION ALL SELECT format('policy %s %s %s %s %s %s', tablename, policyname, roles, cmd, qual, with_check)
	FROM pg_policies WHERE schemaname = 'customers') s};
# what a role with SELECT on every table sees per tenant, row level security in force
my $seen_sql = join('', map {
	"SET ROLE reader; SET customers.tenant_id = '$_'; SELECT '$_', count(*) FROM customers.customer; RESET ROLE;\n"
} ('acme', 'globex', 'nobody'));

my $request = q{'{"limit": 3, "sort": {"orderBy": "NAME"}, "filter": {"customData": {"contains": {"plan": "gold"}}}}'};
sub page
{
	my ($node, $cursor) = @_;
	my $req = defined $cursor ? "jsonb_set($request, '{cursor}', to_jsonb('$cursor'::text))" : $request;
	return $node->safe_psql('postgres', "SET ROLE app; SET customers.tenant_id = 'acme'; SELECT customers.query($req)");
}
sub call
{
	my ($node, $call) = @_;
	return $node->safe_psql('postgres', "SET ROLE app; SET customers.tenant_id = 'acme'; SELECT $call");
}

my $first = page($old);
my ($after) = $first =~ /"after": "([^"]+)"/;
ok(defined $after, 'the first page has a cursor.after');
my $second = page($old, $after);
my ($before) = $second =~ /"before": "([^"]+)"/;
ok(defined $before, 'the second page has a cursor.before');
my $users = call($old, q{customers.users('cus_1', '{"limit": 2}')});
my ($users_after) = $users =~ /"after": "([^"]+)"/;
ok(defined $users_after, 'the users list has a cursor.after');
my $users_next = call($old, "customers.users('cus_1', jsonb_build_object('limit', 2, 'cursor', '$users_after'))");
my $history = call($old, q{customers.history('cus_1', '{}')});
my $history_page = call($old, q{customers.history('cus_8', '{"limit": 1}')});
my ($history_after) = $history_page =~ /"after": "([^"]+)"/;
ok(defined $history_after, 'the history has a cursor.after');
my $history_next = call($old, "customers.history('cus_8', jsonb_build_object('limit', 1, 'cursor', '$history_after'))");
my $segments = call($old, q{customers.class_segments('{}')});

my @tables = extension_tables($old, 'postgres');
cmp_ok(scalar(@tables), '>=', 8, 'the extension has tables: ' . join(', ', @tables));
my %contents;
for my $table (@tables)
{
	$contents{$table} = table_contents($old, 'postgres', $table);
	cmp_ok($contents{$table}, '!~', qr/^0\n/, "customers.$table has rows");
}
my $extversion = $old->safe_psql('postgres', $extversion_sql);
my $rls = $old->safe_psql('postgres', $rls_sql);
my $seen = $old->safe_psql('postgres', $seen_sql);
# each tenant's rows as the owner counts them, without row level security
my $stored = join("\n", map {
	"$_|" . $old->safe_psql('postgres', "SELECT count(*) FROM customers.customer WHERE tenant_id = '$_'")
} ('acme', 'globex', 'nobody'));
like($stored, qr/^acme\|[1-9]/, 'tenant acme has customers');
is($seen, $stored, 'row level security confines the reader to a tenant');
if ($unstamp)
{
	$old->safe_psql('postgres', q{
UPDATE pg_attribute SET attoptions = NULLIF(
	ARRAY(SELECT o FROM unnest(attoptions) o WHERE o NOT LIKE 'pg_attver=%'), '{}')
WHERE array_to_string(attoptions, ',') LIKE '%pg_attver=%'});
	is($old->safe_psql('postgres', $rls_sql), $rls, 'removing the pg_attver stamp changes nothing the test compares');
}
$old->stop;

# One pg_upgrade per later major, the last one this one
my @hops = ((map { dirname($_) } @old_bindirs[ 1 .. $#old_bindirs ]), undef);
my $i = 0;
for my $install_path (@hops)
{
	$i++;
	my $new = PostgreSQL::Test::Cluster->new("major$i", defined $install_path ? (install_path => $install_path) : ());
	$new->init(extra => \@initdb);
	my $new_bindir = defined $install_path ? "$install_path/bin" : $bindir;
	my $old_bindir = $old->install_path . '/bin';
	$new->command_ok(
		[
			'pg_upgrade', '--no-sync',
			'-d', $old->data_dir, '-D', $new->data_dir,
			'-b', $old_bindir, '-B', $new_bindir,
			'-s', $new->host, '-p', $old->port, '-P', $new->port
		],
		"pg_upgrade to major $i");
	$new->start;
	my $version = $new->safe_psql('postgres', 'SHOW server_version');
	is($new->safe_psql('postgres', $extversion_sql), $extversion, "$version: the extension's version is $extversion");
	for my $table (@tables)
	{
		is(table_contents($new, 'postgres', $table), $contents{$table}, "$version: customers.$table has every row, unchanged");
	}
	is($new->safe_psql('postgres', $rls_sql), $rls, "$version: row level security and its policies are the same");
	is($new->safe_psql('postgres', $seen_sql), $seen, "$version: and confine the reader the same way");
	is(page($new), $first, "$version: the first page is the same");
	is(page($new, $after), $second, "$version: a cursor.after issued before the upgrade returns the same next page");
	is(page($new, $before), $first, "$version: a cursor.before issued before the upgrade returns the same previous page");
	is(call($new, "customers.users('cus_1', jsonb_build_object('limit', 2, 'cursor', '$users_after'))"),
		$users_next, "$version: a users cursor issued before the upgrade returns the same next page");
	is(call($new, "customers.history('cus_8', jsonb_build_object('limit', 1, 'cursor', '$history_after'))"),
		$history_next, "$version: a history cursor issued before the upgrade returns the same next page");
	is(call($new, q{customers.history('cus_1', '{}')}), $history, "$version: the same history");
	is(call($new, q{customers.class_segments('{}')}), $segments, "$version: the same class segments");
	$new->stop;
	$old = $new;
}

# On this major: the indexes are sound and the functions write
$old->start;
$old->safe_psql('postgres', 'CREATE EXTENSION amcheck');
my ($indexes, $checked) = split /\|/, $old->safe_psql(
	'postgres', q{
WITH b AS MATERIALIZED (
	SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	JOIN pg_am a ON a.oid = c.relam
	WHERE c.relnamespace = 'customers'::regnamespace AND a.amname = 'btree')
SELECT (SELECT count(*) FROM b), count(*) FROM b CROSS JOIN LATERAL bt_index_parent_check(b.indexrelid, true)});
cmp_ok($indexes, '>', 5, "the extension has $indexes B-tree indexes");
is($checked, $indexes, 'every one checks out with its table after the upgrade (amcheck, heapallindexed)');

is(call($old, q{customers.save('{"data": [{"id": "cus_new", "name": "After upgrade", "externalId": "ext-1"}]}') #>> '{data,0,statusCode}'}),
	'409', 'a unique key from before the upgrade is still enforced');
is(call($old, q{customers.save('{"data": [{"id": "cus_new", "name": "After upgrade"}]}') ->> 'result'}),
	'SUCCESS', 'saving works after the upgrade');
is(call($old, q{customers.patch('cus_7', '{"name": "Patched"}') ->> 'name'}), 'Patched', 'patching works after the upgrade');
is($old->safe_psql('postgres', 'ALTER EXTENSION customers UPDATE; ' . $extversion_sql),
	$extversion, 'ALTER EXTENSION UPDATE after the upgrade keeps the version');
$old->stop;

done_testing();
