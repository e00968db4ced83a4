-- Payment methods (docs/api.md §6.1): save, list, get, detach; one default
-- per customer; card numbers and security codes refused; NULL arguments;
-- tenants kept apart; nothing changes when a call fails.
SET customers.tenant_id = 'pm';
SET customers.actor = 'pm-test';
\set VERBOSITY default
\set SHOW_CONTEXT never
\pset format unaligned

SELECT count(*) AS saved FROM items(customers.save('{"data": [
	{"id": "cus_pm1", "name": "Card Holder"}, {"id": "cus_pm2", "name": "Bank Holder"},
	{"id": "cus_pm_archived", "name": "Gone"}]}')) WHERE status = 200;
SELECT customers.archive('cus_pm_archived') ->> 'status' AS status;

-- a card, the customer's default
SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD", "isDefault": true,
	"card": {"brand": "visa", "last4": "4242", "expMonth": 12, "expYear": 2030},
	"billingDetails": {"name": "Card Holder", "address": {"zip": "10001"}}}') AS m \gset
SELECT mask(:'m') AS card;
SELECT :'m'::jsonb ->> 'id' AS pm1 \gset
-- a bank account (bankName and accountType optional), not the default
SELECT mask(customers.save_payment_method('cus_pm2', '{"type": "BANK_ACCOUNT",
	"bankAccount": {"bankName": "First Bank", "last4": "6789", "accountType": "CHECKING"}}')) AS bank;
SELECT mask(customers.save_payment_method('cus_pm2', '{"type": "BANK_ACCOUNT",
	"bankAccount": {"last4": "0001"}, "isDefault": false}')) AS bank_minimal;

-- a second card made default clears the first one's flag in the same call
SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD", "isDefault": true,
	"card": {"brand": "mastercard", "last4": "4444", "expMonth": 1, "expYear": 2031}}') ->> 'id' AS pm2 \gset
SELECT m ->> 'id' = :'pm1' AS is_first, m -> 'card' ->> 'last4' AS last4, m -> 'isDefault' AS is_default
FROM jsonb_array_elements(customers.payment_methods('cus_pm1') -> 'data') AS m;
SELECT count(*) FILTER (WHERE is_default) AS defaults, count(*) AS methods
FROM customers.payment_method WHERE tenant_id = 'pm' AND customer_id = 'cus_pm1';

-- saving with the id updates: given top-level fields replace stored ones,
-- isDefault is kept unless given; making the first default again swaps back
SELECT mask(customers.save_payment_method('cus_pm1', jsonb_build_object('id', :'pm1',
	'card', '{"brand": "visa", "last4": "4242", "expMonth": 6, "expYear": 2032}'::jsonb))) AS updated;
SELECT customers.save_payment_method('cus_pm1', jsonb_build_object('id', :'pm1', 'isDefault', true))
	-> 'isDefault' AS first_default_again;
SELECT m ->> 'id' = :'pm1' AS is_first, m -> 'isDefault' AS is_default
FROM jsonb_array_elements(customers.payment_methods('cus_pm1') -> 'data') AS m;
-- a fetched method sent back as it is changes nothing but is accepted
SELECT customers.save_payment_method('cus_pm1', customers.payment_method('cus_pm1', :'pm1'))
	= customers.payment_method('cus_pm1', :'pm1') AS round_trip;
-- switching the type needs the other kind's object set to null
SELECT mask(customers.save_payment_method('cus_pm1', jsonb_build_object('id', :'pm2',
	'type', 'BANK_ACCOUNT', 'card', NULL, 'bankAccount', '{"last4": "1111"}'::jsonb))) AS switched;

-- the database itself refuses a second default (on Citus the index's name
-- carries its shard's number: test/citus)
SELECT regexp_replace(raises($$INSERT INTO customers.payment_method VALUES
	('pm', 'cus_pm1', 'pm_direct', true, now(), '{}')$$), '_idx_[0-9]+"', '_idx"') AS raises;

-- Card data is refused (22023) wherever it appears, and nothing is stored:
-- 13-19 digits passing Luhn, with or without spaces or dashes, and any
-- security code key. The message names the field, never the number.
SELECT table_checksum() AS before \gset
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD",
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030,
	         "number": "4242424242424242"}}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD",
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030},
	"billingDetails": {"name": "4242 4242 4242 4242"}}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD",
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030},
	"billingDetails": {"notes": ["ok", {"pan": "card 5555-5555-5555-4444 exp 12/30"}]}}')$$);
-- Amex (15 digits, 4-6-5 groups), a 13-digit and a 19-digit number, a
-- number sent as a JSON number, and one as a key
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD",
	"card": {"brand": "amex", "last4": "0005", "expMonth": 1, "expYear": 2030},
	"billingDetails": {"a": "3782 822463 10005", "b": "4222222222222",
	                   "c": "6011000990139424009", "d": 4012888888881881}}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD",
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030},
	"billingDetails": {"4242424242424242": "x"}}')$$);
-- security codes, in any case, with "_" or "-", or at the end of a longer
-- key, whatever their value
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD",
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030, "cvc": "123"}}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD",
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030},
	"billingDetails": {"CVV": 1, "card_cvc2": 2, "x": {"cvv2": null, "security_code": "1", "cardSecurityCode": "2"}}}')$$);
-- ... also on an update of a stored method
SELECT replace(raises(format($$SELECT customers.save_payment_method('cus_pm1', '{"id": "%s",
	"billingDetails": {"card": "4111-1111-1111-1111"}}')$$, :'pm1')), :'pm1', '<pm1>');
SELECT table_checksum() = :'before' AS unchanged;

-- digits that are not a card number are ordinary data: 16 digits failing
-- Luhn, 12 and 20 digits passing it, digits split by words (test 85 has
-- the separators a card number may be written with)
SELECT customers.save_payment_method('cus_pm2', '{"type": "BANK_ACCOUNT",
	"bankAccount": {"last4": "0002"},
	"billingDetails": {"order": "4242424242424241", "short": "424242424242",
	                   "long": "42424242424242424242", "phone": "+1 415 555 0100",
	                   "split": "4242 4242 and 4242 4242", "n": 4242424242424241}}') -> 'billingDetails' AS accepted;

-- Field rules (22023, the detail lists further errors)
SELECT table_checksum() AS before \gset
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "PAYPAL"}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD"}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD", "card": {}}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD",
	"card": {"brand": "", "last4": "42a2", "expMonth": 13, "expYear": 30, "color": "red"}}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD",
	"card": {"brand": "visa", "last4": 4242, "expMonth": 1.5, "expYear": "2030"}}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD",
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030},
	"bankAccount": {"last4": "1234"}}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "BANK_ACCOUNT",
	"bankAccount": {"accountType": "BROKERAGE", "routing": "x"}}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "BANK_ACCOUNT",
	"bankAccount": "1234"}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"type": "CARD", "isDefault": "yes",
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030},
	"billingDetails": [], "nickname": "mine"}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', jsonb_build_object('type', 'BANK_ACCOUNT',
	'bankAccount', '{"last4": "1234"}'::jsonb, 'billingDetails', jsonb_build_object('blob', repeat('x', 20000))))$$);
-- ids: only a stored method of this customer can be named
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"id": "card_1", "type": "CARD"}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm1', '{"id": "pm_unknown", "type": "CARD"}')$$);
SELECT replace(raises(format($$SELECT customers.save_payment_method('cus_pm2', '{"id": "%s"}')$$, :'pm1')),
	:'pm1', '<pm1>');
-- unknown and archived customers
SELECT raises($$SELECT customers.save_payment_method('cus_nobody', '{"type": "BANK_ACCOUNT",
	"bankAccount": {"last4": "1234"}}')$$);
SELECT raises($$SELECT customers.save_payment_method('cus_pm_archived', '{"type": "BANK_ACCOUNT",
	"bankAccount": {"last4": "1234"}}')$$);
SELECT raises('SELECT customers.payment_methods(''cus_nobody'')');
SELECT raises('SELECT customers.payment_method(''cus_nobody'', ''pm_x'')');
SELECT raises('SELECT customers.payment_method(''cus_pm1'', ''pm_x'')');
SELECT replace(raises(format('SELECT customers.payment_method(%L, %L)', 'cus_pm2', :'pm1')), :'pm1', '<pm1>');
SELECT raises('SELECT customers.detach_payment_method(''cus_pm1'', ''pm_x'')');
-- NULL arguments and a method that is not an object
SELECT raises('SELECT customers.save_payment_method(NULL, ''{}'')');
SELECT raises('SELECT customers.save_payment_method(''cus_pm1'', NULL)');
SELECT raises('SELECT customers.save_payment_method(''cus_pm1'', ''[]'')');
SELECT raises('SELECT customers.payment_methods(NULL)');
SELECT raises('SELECT customers.payment_method(''cus_pm1'', NULL)');
SELECT raises('SELECT customers.detach_payment_method(NULL, ''pm_x'')');
SELECT table_checksum() = :'before' AS unchanged;
-- an archived customer's methods can still be listed
SELECT customers.payment_methods('cus_pm_archived') AS archived_list;

-- detach removes the method and returns it as it was; the customer then
-- has no default until one is set; a second detach finds nothing
SELECT mask(customers.detach_payment_method('cus_pm1', :'pm1')) AS detached;
SELECT replace(raises(format('SELECT customers.detach_payment_method(%L, %L)', 'cus_pm1', :'pm1')),
	:'pm1', '<pm1>');
SELECT m ->> 'id' = :'pm2' AS is_second, m -> 'isDefault' AS is_default
FROM jsonb_array_elements(customers.payment_methods('cus_pm1') -> 'data') AS m;

-- another tenant sees none of it
SET customers.tenant_id = 'pm_other';
SELECT raises(format('SELECT customers.payment_method(%L, %L)', 'cus_pm1', :'pm2'));
SELECT customers.save('{"data": [{"id": "cus_pm1", "name": "Same id, other tenant"}]}') ->> 'result' AS saved;
SELECT customers.payment_methods('cus_pm1') AS other_tenant_list;
SELECT replace(raises(format('SELECT customers.detach_payment_method(%L, %L)', 'cus_pm1', :'pm2')),
	:'pm2', '<pm2>');
SET customers.tenant_id = 'pm';
SELECT count(*) AS still_there FROM customers.payment_method WHERE tenant_id = 'pm' AND id = :'pm2';
