# Who the extension runs as, and who sets the tenant guard.
#
# - A schema customers that exists before CREATE EXTENSION: owned by the
#   installing role or another superuser (a restore made by another
#   superuser leaves one), the extension installs and every call works as
#   the application; owned by a role that is not a superuser, CREATE
#   EXTENSION fails with a clear message and creates nothing.
# - An extension owner that is not a superuser (row level security is
#   forced on its own tables): every call still works, cursors included.
# - customers.require_tenant set by a superuser with ALTER ROLE takes effect
#   in the application's sessions; the application cannot turn it off, not
#   even before the library is loaded (SET, or -c in its connection options,
#   which displaces the ALTER ROLE value): PostgreSQL warns, and the
#   extension keeps the guard on for that session.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('owner');
$node->init;
$node->start;
$node->safe_psql(
	'postgres', q{
CREATE ROLE app LOGIN;
CREATE ROLE other_admin SUPERUSER;
CREATE ROLE schema_squatter;
CREATE ROLE installer LOGIN SUPERUSER;
});

# Every kind of call as the application, in one tenant; the output of each
my $calls = q{
SET customers.tenant_id = 'acme';
SELECT customers.save('{"data": [{"id": "cus_1", "name": "One"}, {"id": "cus_2", "name": "Two"}]}') ->> 'result';
SELECT customers.patch('cus_1', '{"email": "one@example.com"}') ->> 'version';
SELECT customers.archive('cus_2') ->> 'status';
SELECT customers.restore('cus_2') ->> 'status';
SELECT customers.get('cus_1') ->> 'email';
SELECT customers.query(jsonb_build_object('limit', 1, 'cursor',
	customers.query('{"limit": 1}') -> 'cursor' ->> 'after')) -> 'data' -> 0 ->> 'id';
SELECT jsonb_array_length(customers.history('cus_1', '{}') -> 'data');
SELECT customers.create_user('cus_1', '{"email": "u@example.com"}') ->> 'email';
SELECT customers.save_payment_method('cus_1', '{"type": "BANK_ACCOUNT", "bankAccount": {"last4": "1234"}}') ->> 'type';
SELECT customers.save_class_labels('{"data": [{"id": "cll_1", "name": "Region", "requiredness": "NOT_REQUIRED"}]}') ->> 'result';
};
my $expected = join("\n", 'SUCCESS', '2', 'ARCHIVED', 'ACTIVE', 'one@example.com', 'cus_2', '2', 'u@example.com',
	'BANK_ACCOUNT', 'SUCCESS');

sub app_calls
{
	my ($db) = @_;
	my ($stdout, $stderr);
	$node->psql($db, $calls, stdout => \$stdout, stderr => \$stderr, extra_params => [ '-U', 'app' ]);
	return $stderr ne '' ? $stderr : $stdout;
}

# A schema made beforehand by another superuser: installs and works
$node->safe_psql('postgres', 'CREATE DATABASE other_superuser');
$node->safe_psql('other_superuser', q{
CREATE SCHEMA customers AUTHORIZATION other_admin;
CREATE EXTENSION customers CASCADE;
GRANT USAGE ON SCHEMA customers TO app;
});
is($node->safe_psql('other_superuser',
		q{SELECT n.nspowner::regrole || ' ' || e.extowner::regrole FROM pg_namespace n, pg_extension e
		  WHERE n.nspname = 'customers' AND e.extname = 'customers'}),
	'other_admin ' . $node->safe_psql('postgres', 'SELECT current_user'),
	'schema owned by another superuser than the extension owner');
is(app_calls('other_superuser'), $expected, 'every call works as the application');

# A schema made beforehand by a role that is not a superuser: refused
$node->safe_psql('postgres', 'CREATE DATABASE squatted');
$node->safe_psql('squatted', 'CREATE SCHEMA customers AUTHORIZATION schema_squatter');
my ($stdout, $stderr);
my $rc = $node->psql('squatted', 'CREATE EXTENSION customers CASCADE',
	stdout => \$stdout, stderr => \$stderr, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
isnt($rc, 0, 'CREATE EXTENSION fails when schema customers belongs to a role that is not a superuser');
like($stderr, qr/ERROR:  55000: schema "customers" is owned by role "schema_squatter"/, 'naming the schema\'s owner');
like($stderr,
	qr/HINT:  Run ALTER SCHEMA customers OWNER TO \w+, or drop the schema, and try again\./,
	'and saying how to fix it');
is($node->safe_psql('squatted', q{SELECT count(*) FROM pg_extension WHERE extname = 'customers'}),
	'0', 'nothing was installed');
$node->safe_psql('squatted', 'ALTER SCHEMA customers OWNER TO CURRENT_USER');
$node->safe_psql('squatted', 'CREATE EXTENSION customers CASCADE; GRANT USAGE ON SCHEMA customers TO app');
is(app_calls('squatted'), $expected, 'after the hint is followed, it installs and every call works');

# An extension owner that is not a superuser
$node->safe_psql('postgres', 'CREATE DATABASE plain_owner');
$node->safe_psql('plain_owner', q{
SET ROLE installer;
CREATE EXTENSION customers CASCADE;
GRANT USAGE ON SCHEMA customers TO app;
RESET ROLE;
ALTER ROLE installer NOSUPERUSER;
});
is($node->safe_psql('plain_owner',
		q{SELECT r.rolname || ' ' || r.rolsuper || ' ' || r.rolbypassrls FROM pg_extension e
		  JOIN pg_roles r ON r.oid = e.extowner WHERE e.extname = 'customers'}),
	'installer false false', 'the extension owner is not a superuser and does not bypass row level security');
is(app_calls('plain_owner'), $expected, 'every call works, cursors included (the owner reads the cursor key)');

# customers.require_tenant, set by the administrator for the application
$node->safe_psql('postgres', 'ALTER ROLE app SET customers.require_tenant = on');
my $no_tenant = q{SELECT customers.get('cus_1')};
$rc = $node->psql('other_superuser', $no_tenant, stdout => \$stdout, stderr => \$stderr,
	extra_params => [ '-U', 'app' ]);
like($stderr, qr/ERROR:  customers.tenant_id is not set/, 'ALTER ROLE app SET customers.require_tenant = on takes effect');

$rc = $node->psql('other_superuser', "SET customers.require_tenant = off; $no_tenant",
	stdout => \$stdout, stderr => \$stderr, extra_params => [ '-U', 'app' ]);
like($stderr, qr/WARNING:  permission denied to set parameter "customers.require_tenant"/,
	'SET before the library is loaded: a warning when it loads');
like($stderr, qr/ERROR:  customers.tenant_id is not set/, 'and the call is still refused');

$rc = $node->psql('other_superuser', "SET customers.tenant_id = 'acme'; SELECT customers.current_tenant(); SET customers.require_tenant = off",
	stdout => \$stdout, stderr => \$stderr, extra_params => [ '-U', 'app', '-v', 'VERBOSITY=verbose' ]);
like($stderr, qr/ERROR:  42501: permission denied to set parameter "customers.require_tenant"/,
	'SET once the library is loaded: 42501');

{
	local $ENV{PGOPTIONS} = '-c customers.require_tenant=off';
	$rc = $node->psql('other_superuser', $no_tenant, stdout => \$stdout, stderr => \$stderr,
		extra_params => [ '-U', 'app' ]);
}
like($stderr, qr/WARNING:  permission denied to set parameter "customers.require_tenant"/,
	'-c customers.require_tenant=off in the connection options: a warning');
like($stderr,
	qr/ERROR:  customers.tenant_id is not set\nDETAIL:  A role that may not set customers.require_tenant set it in this session, so it is on for the session\./,
	'and the call is still refused: the guard stays on for the session');

# without ALTER ROLE: the tenant "default", unless the application tried to set the guard
$node->safe_psql('postgres', 'ALTER ROLE app RESET customers.require_tenant');
is($node->safe_psql('other_superuser', 'SELECT customers.current_tenant()', extra_params => [ '-U', 'app' ]),
	'default', 'no guard set: the tenant "default"');
for my $value ('on', 'off')
{
	local $ENV{PGOPTIONS} = "-c customers.require_tenant=$value";
	$rc = $node->psql('other_superuser', 'SELECT customers.current_tenant()', stdout => \$stdout, stderr => \$stderr,
		extra_params => [ '-U', 'app' ]);
	like($stderr, qr/ERROR:  customers.tenant_id is not set/,
		"the application's own -c customers.require_tenant=$value: the guard is on");
}
{
	local $ENV{PGOPTIONS} = '-c customers.require_tenant=off';
	is($node->safe_psql('other_superuser', 'SELECT customers.current_tenant()'),
		'default', 'a superuser may turn it off in its connection options');
}

# delegated: a role granted SET ON PARAMETER may set it for the application
$node->safe_psql('postgres', q{
CREATE ROLE ops LOGIN CREATEROLE;
GRANT SET ON PARAMETER customers.require_tenant TO ops;
-- from 16 on, CREATEROLE alters only the roles it holds with ADMIN OPTION
GRANT app TO ops WITH ADMIN OPTION;
});
$node->safe_psql('postgres', 'ALTER ROLE app SET customers.require_tenant = on', extra_params => [ '-U', 'ops' ]);
$rc = $node->psql('other_superuser', $no_tenant, stdout => \$stdout, stderr => \$stderr,
	extra_params => [ '-U', 'app' ]);
like($stderr, qr/ERROR:  customers.tenant_id is not set/,
	'a role granted SET ON PARAMETER sets it for the application with ALTER ROLE');

$node->stop;
done_testing();
