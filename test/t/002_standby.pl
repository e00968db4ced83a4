# query and get only read: on a streaming hot standby they return what the
# primary returns, cursors from either node work on the other, and the
# functions that write fail there with a clean read-only error.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
# SQLSTATEs in the log, so the check at the end can see internal errors
$primary->append_conf('postgresql.conf', "log_error_verbosity = verbose\n");
$primary->start;
$primary->safe_psql(
	'postgres', q{
CREATE EXTENSION customers CASCADE;
CREATE ROLE app LOGIN;
GRANT USAGE ON SCHEMA customers TO app;
});

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

# Data written after the standby started reaches it by streaming
$primary->safe_psql(
	'postgres', q{
SET customers.tenant_id = 'acme';
SELECT customers.save_class_labels('{"data": [{"id": "cll_region", "name": "Region", "requiredness": "NOT_REQUIRED"}]}');
SELECT customers.save_class_segments('{"data": [{"id": "cls_east", "label": "cll_region", "name": "East"},
	{"id": "cls_dc", "label": "cll_region", "name": "Washington DC", "parent": "cls_east"}]}');
SELECT customers.save(jsonb_build_object('data', jsonb_agg(jsonb_build_object(
	'id', 'cus_' || n, 'name', 'Customer ' || (n % 7), 'email', 'c' || n || '@example.com',
	'classSegments', CASE WHEN n % 2 = 0 THEN '["cls_dc"]'::jsonb ELSE '[]'::jsonb END))))
FROM generate_series(1, 25) AS n;
SELECT customers.archive('cus_3');
SELECT customers.patch('cus_4', '{"email": "four@example.com"}');
SELECT customers.save_payment_method('cus_4', '{"type": "CARD", "isDefault": true,
	"card": {"brand": "visa", "last4": "4242", "expMonth": 12, "expYear": 2030}}');
SELECT customers.create_user('cus_4', jsonb_build_object('email', 'user' || n || '@example.com'))
FROM generate_series(1, 3) AS n;
});
$primary->wait_for_catchup($standby, 'replay');

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');

# The same statement on both nodes, as the application role
sub both
{
	my ($sql) = @_;
	my $full = "SET ROLE app; SET customers.tenant_id = 'acme'; $sql";
	return ($primary->safe_psql('postgres', $full), $standby->safe_psql('postgres', $full));
}

my ($p, $s) = both(q{SELECT customers.get('cus_4')});
like($p, qr/"name": "Customer 4"/, 'get on the primary');
is($s, $p, 'get on the standby returns the same document');

($p, $s) = both(q{SELECT customers.get('cus_404') IS NULL});
is($s, 't', 'get of an unknown id is NULL on the standby');

my $request = q{'{"limit": 4, "sort": {"orderBy": "NAME", "direction": "DESC"}, "filter": {"email": {"contain": "example"}, "classSegments": {"expand": true, "id": {"in": ["cls_east"]}}}}'};
($p, $s) = both("SELECT customers.query($request)");
like($p, qr/"cursor": \{"after"/, 'the first page has a next page');
is($s, $p, 'query on the standby returns the same page, cursor and expanded segments');

# Walk every page on the standby with cursors issued by the primary, and
# the other way round
sub walk
{
	my ($first, $next) = @_;
	my @ids;
	my $cursor = '';
	for (my $pages = 0; $pages < 50; $pages++)
	{
		my $node = $pages == 0 ? $first : $next;
		my $req = $cursor eq '' ? $request : "jsonb_set($request, '{cursor}', to_jsonb('$cursor'::text))";
		my $out = $node->safe_psql('postgres',
			"SET customers.tenant_id = 'acme'; SELECT r -> 'cursor' ->> 'after', "
			  . "(SELECT string_agg(d ->> 'id', ',') FROM jsonb_array_elements(r -> 'data') d) "
			  . "FROM customers.query($req) r");
		my ($after, $page) = split /\|/, $out, 2;
		push @ids, split /,/, ($page // '');
		return join(',', @ids) if !defined $after || $after eq '';
		$cursor = $after;
	}
	return 'no end';
}
my $on_primary = walk($primary, $primary);
is(scalar(split /,/, $on_primary), 12, 'the primary walks the 12 customers in cls_east\'s subtree');
is(walk($primary, $standby), $on_primary, 'cursors of the primary walk the same pages on the standby');
is(walk($standby, $primary), $on_primary, 'cursors of the standby walk the same pages on the primary');

($p, $s) = both(q{SELECT customers.class_segments('{}')});
is($s, $p, 'class_segments on the standby');

# the other reading functions, with their cursors
for my $call (
	q{customers.history('cus_4', '{"limit": 1}')},
	q{customers.users('cus_4', '{"limit": 2}')},
	q{customers.payment_methods('cus_4')})
{
	($p, $s) = both("SELECT $call");
	like($p, qr/"data": \[\{/, "$call returns data on the primary");
	is($s, $p, "$call on the standby returns the same");
}
($p) = both(q{SELECT customers.users('cus_4', '{"limit": 2}') -> 'cursor' ->> 'after'});
isnt($p, '', 'the users list has a next page');
my ($pu, $su) = both("SELECT customers.users('cus_4', jsonb_build_object('limit', 2, 'cursor', '$p'))");
is($su, $pu, 'a users cursor of the primary returns the same page on the standby');
my ($method) = both(q{SELECT customers.payment_methods('cus_4') -> 'data' -> 0 ->> 'id'});
($p, $s) = both("SELECT customers.payment_method('cus_4', '$method')");
is($s, $p, 'payment_method on the standby');

# Writing functions fail cleanly: read-only transaction, never an internal error
for my $call (
	q{customers.save('{"data": [{"name": "New"}]}')},
	q{customers.patch('cus_4', '{"name": "Changed"}')},
	q{customers.archive('cus_4')},
	q{customers.restore('cus_3')},
	q{customers.save_class_labels('{"data": [{"name": "Tier", "requiredness": "REQUIRED"}]}')},
	q{customers.delete_class_segment('cls_dc')},
	q{customers.save_payment_method('cus_4', '{"type": "BANK_ACCOUNT", "bankAccount": {"last4": "1234"}}')},
	q{customers.create_user('cus_4', '{"email": "new@example.com"}')},
	q{customers.detach_payment_method('cus_4', 'pm_x')})
{
	my ($ret, $stdout, $stderr) = $standby->psql('postgres',
		"SET customers.tenant_id = 'acme'; \\set VERBOSITY verbose\nSELECT $call");
	like($stderr, qr/ERROR:  25006: /, "$call on the standby: read-only error 25006");
}

# Changes keep arriving while the standby serves reads
$primary->safe_psql('postgres',
	q{SET customers.tenant_id = 'acme'; SELECT customers.patch('cus_4', '{"name": "Renamed"}')});
$primary->wait_for_catchup($standby, 'replay');
is( $standby->safe_psql('postgres', q{SET customers.tenant_id = 'acme'; SELECT customers.get('cus_4') ->> 'name'}),
	'Renamed',
	'a patch on the primary is seen on the standby');

ok(!$standby->log_contains('ERROR:  XX000|terminated by signal'), 'the standby logged no internal error or crash');
ok($standby->log_contains('ERROR:  25006'), 'the read-only errors are in the standby log (so the check above can see SQLSTATEs)');

$standby->stop;
$primary->stop;
done_testing();
