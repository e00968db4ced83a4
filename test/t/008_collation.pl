# currency and address.countryCode notEqual and notIn are written as the
# ranges between the codes left out (query_filter.c, CodeRanges). They hold
# exactly the other codes only when the codes are sorted as the database's
# collation sorts them, which need not be byte order: in Czech CH sorts
# after H, so CHE comes after DEU and CHF after EUR.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('collation');
$node->init;
$node->start;
plan skip_all => 'this PostgreSQL was built without ICU'
  unless $node->safe_psql('postgres', q{SELECT count(*) FROM pg_collation WHERE collprovider = 'i'}) > 0;

$node->safe_psql('postgres',
	q{CREATE DATABASE czech TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'cs'});
is($node->safe_psql('czech', q{SELECT 'CHE' > 'DEU' AND 'CHF' > 'EUR' AND 'CHE' < 'DEU' COLLATE "C"}),
	't', 'the database sorts CHE after DEU and CHF after EUR, bytes the other way');

$node->safe_psql(
	'czech', q{
CREATE EXTENSION customers CASCADE;
SET customers.tenant_id = 'cz';
SELECT customers.save('{"data": [
	{"id": "cus_che", "name": "A", "currency": "CHF", "address": {"countryCode": "CHE"}},
	{"id": "cus_deu", "name": "B", "currency": "EUR", "address": {"countryCode": "DEU"}},
	{"id": "cus_fra", "name": "C", "currency": "USD", "address": {"countryCode": "FRA"}},
	{"id": "cus_hun", "name": "D", "currency": "HUF", "address": {"countryCode": "HUN"}},
	{"id": "cus_none", "name": "E"}]}');
});

# The ids a filter finds, sorted by name
sub ids
{
	my ($filter) = @_;
	return $node->safe_psql(
		'czech', qq{
SET customers.tenant_id = 'cz';
SELECT string_agg(d ->> 'id', ' ' ORDER BY d ->> 'name')
FROM jsonb_array_elements(customers.query('{"filter": $filter}') -> 'data') AS d;
});
}

is(ids('{"address.countryCode": {"notIn": ["CHE", "DEU"]}}'), 'cus_fra cus_hun cus_none',
	'countryCode notIn leaves out both codes');
is(ids('{"address.countryCode": {"notIn": ["DEU", "CHE", "HUN"]}}'), 'cus_fra cus_none',
	'countryCode notIn of three codes given in any order');
is(ids('{"address.countryCode": {"notEqual": "CHE"}}'), 'cus_deu cus_fra cus_hun cus_none',
	'countryCode notEqual');
is(ids('{"currency": {"notIn": ["CHF", "EUR"]}}'), 'cus_fra cus_hun cus_none', 'currency notIn leaves out both codes');
is(ids('{"currency": {"notIn": ["HUF", "chf"]}}'), 'cus_deu cus_fra cus_none',
	'currency notIn of codes around CH, one in lower case');

$node->stop;
done_testing();
