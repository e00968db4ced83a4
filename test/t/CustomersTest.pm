# What several TAP tests share: a node with the extension and the
# application role (003, 005), data in every table of the extension and its
# state as text (003 dump and restore, 005 backups, 007 pg_upgrade compare
# what arrived with what was there), and the first released version (004,
# 006).
package CustomersTest;

use strict;
use warnings;

use Exporter 'import';
use FindBin;
use PostgreSQL::Test::Cluster;
use Test::More;
our @EXPORT =
  qw(node_with_app fill_every_table extension_tables table_contents first_release call_every_function);

# A started node $name whose database $db has the extension, and the
# application role app (LOGIN, USAGE on the schema, as docs/operations.md has it)
sub node_with_app
{
	my ($name, $db) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->start;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql(
		$db, q{
CREATE EXTENSION customers CASCADE;
CREATE ROLE app LOGIN;
GRANT USAGE ON SCHEMA customers TO app;
});
	return $node;
}

# Two tenants with every kind of row: labels, a segment tree, 20 customers
# (one archived, one inactive, half holding segments), payment methods,
# users, and the history all of that wrote.
sub fill_every_table
{
	my ($node, $db) = @_;
	for my $tenant ('acme', 'globex')
	{
		$node->safe_psql(
			$db, qq{
SET customers.tenant_id = '$tenant';
SELECT customers.save_class_labels('{"data": [{"id": "cll_region", "name": "Region", "requiredness": "NOT_REQUIRED"},
	{"id": "cll_tier", "name": "Tier", "requiredness": "NOT_REQUIRED"}]}');
SELECT customers.save_class_segments('{"data": [{"id": "cls_east", "label": "cll_region", "name": "East"},
	{"id": "cls_dc", "label": "cll_region", "name": "Washington DC", "parent": "cls_east"},
	{"id": "cls_gold", "label": "cll_tier", "name": "Gold"}]}');
SELECT customers.save(jsonb_build_object('data', jsonb_agg(jsonb_build_object(
	'id', 'cus_' || n, 'name', '$tenant customer ' || (n % 5), 'externalId', 'ext-' || n,
	'email', 'c' || n || '\@example.com', 'businessName', CASE WHEN n % 3 = 0 THEN 'Biz ' || n END,
	'ccEmails', jsonb_build_array('["cc' || n || '\@acme.com"]'),
	'address', jsonb_build_object('city', 'Washington', 'countryCode', 'US'),
	'customData', jsonb_build_object('n', n, 'plan', CASE WHEN n % 2 = 0 THEN 'gold' END),
	'classSegments', CASE WHEN n % 2 = 0 THEN '["cls_dc", "cls_gold"]'::jsonb ELSE '[]'::jsonb END))))
FROM generate_series(1, 20) AS n;
SELECT customers.archive('cus_7');
SELECT customers.patch('cus_8', '{"status": "INACTIVE", "metadata": {"k": "v"}}');
SELECT customers.save_payment_method('cus_' || n, jsonb_build_object('type', 'CARD', 'isDefault', n = 1,
	'card', jsonb_build_object('brand', 'visa', 'last4', '4242', 'expMonth', n, 'expYear', 2030)))
FROM generate_series(1, 3) AS n;
SELECT customers.create_user('cus_1', jsonb_build_object('email', 'user' || n || '\@$tenant.example.com'))
FROM generate_series(1, 4) AS n;
});
		# from 0.2.0: an erased customer's tombstone and a stored idempotency key
		next
		  unless $node->safe_psql($db, q{SELECT to_regprocedure('customers.erase(text,jsonb)') IS NOT NULL}) eq 't';
		$node->safe_psql(
			$db, qq{
SET customers.tenant_id = '$tenant';
SELECT customers.erase('cus_20', '{"keepExternalId": true}');
SET customers.idempotency_key = 'fill-$tenant';
SELECT customers.patch('cus_9', '{"name": "Keyed"}');
});
	}
	return;
}

# The extension's tables, by name
sub extension_tables
{
	my ($node, $db) = @_;
	return split /\n/, $node->safe_psql($db,
		q{SELECT c.relname FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
		  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'customers'
		  WHERE c.relkind = 'r' ORDER BY 1});
}

# A table's (or a parenthesized query's) row count and every row as text, ordered
sub table_contents
{
	my ($node, $db, $table) = @_;
	return $node->safe_psql($db,
		"SELECT count(*) || E'\\n' || coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM "
		  . ($table =~ /^\(/ ? $table : "customers.$table") . " t");
}

# The first released version: CUSTOMERS_UPGRADE_FROM (scripts/test.sh sets it),
# else CHANGELOG.md's oldest "## X.Y.Z" heading not marked "(unreleased)"
# (under `make installcheck` the tests run from the top of the tree); '' if
# neither says.
sub first_release
{
	return $ENV{CUSTOMERS_UPGRADE_FROM} if defined $ENV{CUSTOMERS_UPGRADE_FROM};
	open(my $fh, '<', "$FindBin::RealBin/../../CHANGELOG.md") or return '';
	my $first = '';
	while (<$fh>)
	{
		$first = $1 if /^## (\d+\.\d+\.\d+)/ && !/\(unreleased\)/;
	}
	close $fh;
	return $first;
}

# A call of each function on the data of fill_every_table, as tenant acme, in
# an order where each finds what it needs; each can be repeated
my @sample_calls = (
	current_tenant => q{customers.current_tenant()},
	save => q{customers.save('{"data": [{"name": "Called"}]}')},
	get => q{customers.get('cus_1')},
	query => q{customers.query('{"limit": 2}')},
	patch => q{customers.patch('cus_2', '{"name": "Patched"}')},
	archive => q{customers.archive('cus_3')},
	restore => q{customers.restore('cus_3')},
	history => q{customers.history('cus_1', '{}')},
	save_class_labels =>
	  q{customers.save_class_labels('{"data": [{"id": "cll_x", "name": "X", "requiredness": "NOT_REQUIRED"}]}')},
	save_class_segments => q{customers.save_class_segments('{"data": [{"id": "cls_x", "label": "cll_x", "name": "X"}]}')},
	class_segments => q{customers.class_segments('{}')},
	delete_class_segment => q{customers.delete_class_segment('cls_x')},
	save_payment_method => q{customers.save_payment_method('cus_4', '{"type": "CARD",
		"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030}}')},
	payment_methods => q{customers.payment_methods('cus_4')},
	payment_method => q{customers.payment_method('cus_4', customers.payment_methods('cus_4') #>> '{data,0,id}')},
	detach_payment_method =>
	  q{customers.detach_payment_method('cus_4', customers.payment_methods('cus_4') #>> '{data,0,id}')},
	create_user => q{customers.create_user('cus_2',
		jsonb_build_object('email', 'called-' || md5(random()::text) || '@example.com'))},
	users => q{customers.users('cus_1', '{}')},
	delete => q{customers.delete(customers.save('{"data": [{"name": "To Delete"}]}') #>> '{data,0,data,id}')},
	erase => q{customers.erase(customers.save('{"data": [{"name": "To Erase"}]}') #>> '{data,0,data,id}')},
	purge_idempotency_keys => q{customers.purge_idempotency_keys(10)},
	events => q{customers.events('{"limit": 5}')},
	purge_events => q{customers.purge_events(100)},);
my @sample_order = @sample_calls[ grep { $_ % 2 == 0 } 0 .. $#sample_calls ];
my %sample_calls = @sample_calls;

# Calls every function of the extension in $db (but trigger functions) that
# fill_every_table filled: once with NULL for every argument, which must give
# NULL or a clean error and no crash, and once with the sample call above,
# which must succeed. A function without a sample call gets the NULL call
# only, and a note.
sub call_every_function
{
	my ($node, $db, $what) = @_;
	my %nargs = map { split /\|/ } split /\n/, $node->safe_psql($db,
		q{SELECT p.proname || '|' || p.pronargs FROM pg_proc p
		  WHERE p.pronamespace = 'customers'::regnamespace AND p.prorettype <> 'trigger'::regtype});
	# functions that came after the first release are not in its SQL
	my %later = map { $_ => 1 } qw(delete erase purge_idempotency_keys events purge_events);
	cmp_ok(scalar(keys %nargs), '>=', scalar(grep { exists $nargs{$_} || !$later{$_} } @sample_order),
		"$what: the extension has its functions");
	my %known = map { $_ => 1 } @sample_order;
	for my $name ((grep { exists $nargs{$_} } @sample_order), (sort grep { !$known{$_} } keys %nargs))
	{
		my $nargs = $nargs{$name};
		my $nulls = join(', ', ('NULL') x $nargs);
		my ($ret, $out, $err) = $node->psql($db,
			"\\set VERBOSITY verbose\nSET customers.tenant_id = 'acme'; SELECT customers.$name($nulls)");
		ok($node->safe_psql($db, 'SELECT 1') eq '1' && $err !~ /XX000|server closed|terminated/,
			"$what: customers.$name($nulls) gives a clean result or error") or diag($err);
		if (!exists $sample_calls{$name})
		{
			note("$what: no sample call for customers.$name (test/t/CustomersTest.pm)");
			next;
		}
		($ret, $out, $err) = $node->psql($db,
			"\\set VERBOSITY verbose\nSET customers.tenant_id = 'acme'; SELECT $sample_calls{$name} IS NOT NULL");
		is($ret . $out, '0t', "$what: $sample_calls{$name} works") or diag($err);
	}
	return;
}

1;
