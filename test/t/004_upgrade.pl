# ALTER EXTENSION customers UPDATE from the first released version.
#
# The first released version is CHANGELOG.md's oldest "## X.Y.Z" heading not
# marked "(unreleased)" (CustomersTest::first_release); its frozen install
# script sql/customers--X.Y.Z.sql is installed by `make install` beside the
# current version's scripts. This test creates the extension at that version
# with data in every table, calls every function of that version's SQL on the
# current shared library, updates it, and checks that the result is the same
# extension as a fresh install of the current version (every object, column,
# index, constraint, policy, trigger, privilege and function), with every row
# intact and every function working (docs/operations.md, Upgrades). So a
# schema change in sql/customers.sql that lands without its upgrade script
# fails here.
#
# With no released version, or when the released version is the current one,
# there is nothing to update from: the update part is skipped, and only the
# comparison itself and ALTER EXTENSION UPDATE at the current version are
# checked.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use CustomersTest;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;

# Everything the extension consists of, as text, to compare installs
my $fingerprint_sql = q{
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'customers')
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
	SELECT 'member ' || pg_describe_object(classid, objid, objsubid) AS x
	FROM pg_depend WHERE refobjid = (SELECT oid FROM ext) AND deptype = 'e'
	UNION ALL SELECT pg_get_functiondef(p.oid) FROM pg_proc p
	WHERE p.pronamespace = 'customers'::regnamespace
	UNION ALL SELECT format('column %s.%s %s not null %s default %s', c.relname, a.attname,
		format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
	FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	WHERE c.relnamespace = 'customers'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	WHERE c.relnamespace = 'customers'::regnamespace
	UNION ALL SELECT format('constraint %s %s', conrelid::regclass, pg_get_constraintdef(oid))
	FROM pg_constraint WHERE connamespace = 'customers'::regnamespace
	UNION ALL SELECT format('policy %s %s %s %s %s', tablename, policyname, cmd, qual, with_check)
	FROM pg_policies WHERE schemaname = 'customers'
	UNION ALL SELECT format('table %s rls %s forced %s acl %s', relname, relrowsecurity, relforcerowsecurity, relacl)
	FROM pg_class WHERE relnamespace = 'customers'::regnamespace AND relkind = 'r'
	UNION ALL SELECT format('trigger %s', pg_get_triggerdef(t.oid)) FROM pg_trigger t
	JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'customers'::regnamespace AND NOT t.tgisinternal
	UNION ALL SELECT format('view %s %s', c.relname, pg_get_viewdef(c.oid)) FROM pg_class c
	WHERE c.relnamespace = 'customers'::regnamespace AND c.relkind IN ('v', 'm')
	UNION ALL SELECT format('privileges %s %s %s', c.relkind, c.relname, c.relacl) FROM pg_class c
	WHERE c.relnamespace = 'customers'::regnamespace AND c.relkind <> 'r'
	UNION ALL SELECT format('privileges function %s %s', p.oid::regprocedure, p.proacl) FROM pg_proc p
	WHERE p.pronamespace = 'customers'::regnamespace
	UNION ALL SELECT format('privileges schema %s', nspacl) FROM pg_namespace WHERE nspname = 'customers'
	UNION ALL SELECT format('comment %s %s', pg_describe_object(classoid, objoid, objsubid), description)
	FROM pg_description WHERE objoid IN (SELECT objid FROM pg_depend WHERE refobjid = (SELECT oid FROM ext))
	UNION ALL SELECT 'dumped ' || c::regclass::text || ' ' || coalesce(e.extcondition[i], '')
	FROM pg_extension e, unnest(e.extconfig) WITH ORDINALITY AS u(c, i) WHERE e.extname = 'customers'
) s};

sub fingerprint
{
	my ($db) = @_;
	return $node->safe_psql($db, $fingerprint_sql);
}

my $current = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'customers'});
my $from = first_release();

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION customers CASCADE');
my $fresh = fingerprint('fresh');
like($fresh, qr/member table customers\.customer\n/, 'the comparison lists the extension\'s members');
like($fresh, qr/policy customer tenant_isolation/, 'and its row level security policies');

# At the current version, UPDATE changes nothing
$node->safe_psql('fresh', 'ALTER EXTENSION customers UPDATE');
is(fingerprint('fresh'), $fresh, "ALTER EXTENSION UPDATE at $current changes nothing");

SKIP:
{
	skip "no released version yet (CHANGELOG.md: $current is unreleased); nothing to update from", 1
	  if $from eq '';
	skip "the first released version $from is the current one; nothing to update from yet", 1
	  if $from eq $current;

	my $versions = $node->safe_psql('postgres',
		q{SELECT string_agg(version, ' ') FROM pg_available_extension_versions WHERE name = 'customers'});
	like($versions, qr/(^| )\Q$from\E( |$)/, "version $from is installed ($versions)");
	my $path = $node->safe_psql('postgres',
		"SELECT path FROM pg_extension_update_paths('customers') WHERE source = '$from' AND target = '$current'");
	isnt($path, '', "an update path from $from to $current exists: $path");

	# The shared library of the current version serves the SQL of release
	# $from until ALTER EXTENSION UPDATE runs: every function of $from works.
	$node->safe_psql('postgres', 'CREATE DATABASE upgraded');
	$node->safe_psql('upgraded', "CREATE EXTENSION customers VERSION '$from' CASCADE");
	fill_every_table($node, 'upgraded');
	call_every_function($node, 'upgraded', "the $current library with the $from SQL");

	my @tables = extension_tables($node, 'upgraded');
	my %before = map { $_ => table_contents($node, 'upgraded', $_) } @tables;
	$node->safe_psql('upgraded', 'ALTER EXTENSION customers UPDATE');
	is($node->safe_psql('upgraded', q{SELECT extversion FROM pg_extension WHERE extname = 'customers'}),
		$current, "updated to $current");
	is(fingerprint('upgraded'), $fresh, 'the updated extension is the same as a fresh install');
	for my $table (grep { $_ ne 'customer_history' } @tables)
	{
		is(table_contents($node, 'upgraded', $table), $before{$table}, "customers.$table is unchanged by the update");
	}
	# 0.2.0 keeps the history in the event store: every 0.1.0 history row
	# is a customer event with the same values
	is(table_contents($node, 'upgraded', q{(SELECT tenant_id, customer_id, version,
		CASE split_part(type, '.', 2) WHEN 'created' THEN 'CREATE' WHEN 'updated' THEN 'UPDATE'
			WHEN 'patched' THEN 'PATCH' WHEN 'archived' THEN 'ARCHIVE' WHEN 'restored' THEN 'RESTORE' END,
		actor, created_at, changed_fields FROM customers.event WHERE version IS NOT NULL)}),
		$before{customer_history}, 'the history of 0.1.0 became the customer events of 0.2.0')
	  if exists $before{customer_history};
	call_every_function($node, 'upgraded', "updated to $current");

	# A document of release 0.1.0 holding "ein" holds it as its us_ein tax id
	# after the update, at the same version (docs/operations.md, Upgrades)
	$node->safe_psql('postgres', 'CREATE DATABASE ein');
	$node->safe_psql('ein', "CREATE EXTENSION customers VERSION '$from' CASCADE");
	$node->safe_psql('ein', q{
		SET customers.tenant_id = 't';
		SELECT customers.save('{"data": [{"id": "cus_ein", "name": "Ein"}, {"id": "cus_none", "name": "None"}]}');
		UPDATE customers.customer SET doc = doc || '{"ein": "12-3456789"}' WHERE id = 'cus_ein'});
	$node->safe_psql('ein', 'ALTER EXTENSION customers UPDATE');
	is($node->safe_psql('ein', q{SELECT id, doc -> 'taxIds', doc ? 'ein', version FROM customers.customer ORDER BY id}),
		qq{cus_ein|[{"type": "us_ein", "value": "12-3456789"}]|f|1\ncus_none||f|1},
		"the update makes a $from document's ein its us_ein tax id");
}

$node->stop;
done_testing();
