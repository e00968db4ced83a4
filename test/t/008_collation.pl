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

# Under a code field's own sort, its filter walks one segment per code or
# per range between codes (query.c, PlanWalk), in the collation's order:
# pages of one, forward by cursor.after, then back by cursor.before
$node->safe_psql(
	'czech', q{
CREATE FUNCTION walk(request jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	response jsonb := customers.query(request || '{"limit": 1}');
	forward text[] := ARRAY(SELECT d ->> 'id' FROM jsonb_array_elements(response -> 'data') AS d);
	backward text[];
BEGIN
	WHILE response -> 'cursor' ? 'after' LOOP
		response := customers.query(request || jsonb_build_object('limit', 1, 'cursor', response -> 'cursor' ->> 'after'));
		forward := forward || ARRAY(SELECT d ->> 'id' FROM jsonb_array_elements(response -> 'data') AS d);
	END LOOP;
	backward := ARRAY(SELECT d ->> 'id' FROM jsonb_array_elements(response -> 'data') AS d);
	WHILE response -> 'cursor' ? 'before' LOOP
		response := customers.query(request || jsonb_build_object('limit', 1, 'cursor', response -> 'cursor' ->> 'before'));
		backward := ARRAY(SELECT d ->> 'id' FROM jsonb_array_elements(response -> 'data') AS d) || backward;
	END LOOP;
	RETURN array_to_string(forward, ' ') || CASE WHEN forward IS DISTINCT FROM backward
		THEN ' (backward: ' || array_to_string(backward, ' ') || ')' ELSE '' END;
END
$$;
});

# The ids of a walk of a filter under a sort
sub walk
{
	my ($filter, $sort) = @_;
	return $node->safe_psql(
		'czech', qq{
SET customers.tenant_id = 'cz';
SELECT walk('{"filter": $filter, "sort": $sort}');
});
}

my %sort = (
	COUNTRY_CODE => '{"orderBy": "COUNTRY_CODE"}',
	COUNTRY_CODE_DESC => '{"orderBy": "COUNTRY_CODE", "direction": "DESC"}',
	CURRENCY => '{"orderBy": "CURRENCY"}',
	CURRENCY_DESC => '{"orderBy": "CURRENCY", "direction": "DESC"}');
# filter, sort, the ids in order, what it shows
foreach my $case (
	[ '{}', 'COUNTRY_CODE', 'cus_deu cus_fra cus_hun cus_che cus_none', 'COUNTRY_CODE sorts CHE after HUN' ],
	[
		'{"address.countryCode": {"notIn": ["HUN"]}}', 'COUNTRY_CODE',
		'cus_deu cus_fra cus_che cus_none', 'notIn HUN under COUNTRY_CODE: CHE lies in the range after HUN'
	],
	[
		'{"address.countryCode": {"notIn": ["HUN"]}}', 'COUNTRY_CODE_DESC',
		'cus_none cus_che cus_fra cus_deu', 'the same, DESC'
	],
	[
		'{"address.countryCode": {"notIn": ["CHE", "DEU"]}}', 'COUNTRY_CODE_DESC',
		'cus_none cus_hun cus_fra', 'notIn CHE, DEU under COUNTRY_CODE DESC'
	],
	[
		'{"address.countryCode": {"in": ["CHE", "FRA", "HUN"]}}', 'COUNTRY_CODE',
		'cus_fra cus_hun cus_che', 'in under COUNTRY_CODE: a segment a code, in the collation\'s order'
	],
	[ '{"address.countryCode": {"in": ["CHE", "FRA", "HUN"]}}', 'COUNTRY_CODE_DESC', 'cus_che cus_hun cus_fra', 'the same, DESC' ],
	[
		'{"currency": {"notEqual": "HUF"}}', 'CURRENCY',
		'cus_deu cus_che cus_fra cus_none', 'currency notEqual HUF under CURRENCY: CHF after HUF'
	],
	[
		'{"currency": {"notIn": ["EUR", "USD"]}}', 'CURRENCY_DESC',
		'cus_none cus_che cus_hun', 'currency notIn EUR, USD under CURRENCY DESC'
	],
	[ '{"currency": {"in": ["USD", "CHF", "EUR"]}}', 'CURRENCY_DESC', 'cus_fra cus_che cus_deu', 'currency in under CURRENCY DESC' ])
{
	my ($filter, $sort, $ids, $name) = @$case;
	is(walk($filter, $sort{$sort}), $ids, $name);
}

$node->stop;
done_testing();
