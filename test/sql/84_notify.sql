-- NOTIFY customers_changes (docs/api.md §7.1): a wake-up with an empty
-- payload (any role can LISTEN, so it names no tenant, customer or action),
-- one per committed transaction that wrote events (customers, payment
-- methods, users, class labels and segments), none after a rollback, none
-- for a call or item that changes nothing or fails.
--
-- psql prints a notification with the sending backend's PID, which differs
-- on every run. So the session's output goes to a file while notifications
-- arrive (\o), and the file is shown with the PID masked.
SET customers.tenant_id = 'notify';
SET customers.actor = 'notifier';
\set VERBOSITY terse
\set capture 'results/84_notify.capture'
LISTEN customers_changes;
\o :capture

-- a batch: one wake-up for its saved items
SELECT customers.save('{"data": [{"id": "cus_n1", "name": "One"}, {"id": "cus_n2", "name": ""},
	{"id": "cus_n3", "name": "Three"}]}') ->> 'result' AS result;
-- patch, archive, restore; then calls that change nothing send nothing
SELECT customers.patch('cus_n1', '{"name": "One!"}') -> 'version' AS version;
SELECT customers.archive('cus_n1') -> 'version' AS version;
SELECT customers.archive('cus_n1') -> 'version' AS version;
SELECT customers.restore('cus_n1') -> 'version' AS version;
SELECT customers.restore('cus_n1') -> 'version' AS version;
SELECT customers.save('{"data": [{"id": "cus_n3", "name": "Three"}]}') ->> 'result' AS unchanged;
-- a failed call sends nothing
SELECT raises($$SELECT customers.patch('cus_n3', '{"email": "bad"}')$$);
-- in a transaction: nothing until commit, then one wake-up
BEGIN;
SELECT customers.patch('cus_n3', '{"name": "Three!"}') -> 'version' AS version;
SELECT customers.save('{"data": [{"id": "cus_n4", "name": "Four"}]}') ->> 'result' AS result;
SELECT 'still in the transaction' AS note;
COMMIT;
-- a rolled-back change sends none, also after a savepoint was released
BEGIN;
SELECT customers.patch('cus_n3', '{"name": "Rolled back"}') -> 'version' AS version;
SAVEPOINT s;
SELECT customers.archive('cus_n4') -> 'version' AS version;
RELEASE SAVEPOINT s;
ROLLBACK;
-- a change rolled back to a savepoint sends none; the rest of the transaction does
BEGIN;
SELECT customers.patch('cus_n4', '{"name": "Kept"}') -> 'version' AS version;
SAVEPOINT s;
SELECT customers.patch('cus_n3', '{"name": "Undone"}') -> 'version' AS version;
ROLLBACK TO SAVEPOINT s;
COMMIT;
-- another tenant's change wakes the listener with the same empty payload
SET customers.tenant_id = 'notify_other';
SELECT customers.save('{"data": [{"id": "cus_n1", "name": "Other tenant"}]}') ->> 'result' AS result;
SET customers.tenant_id = 'notify';
-- one wake-up for a transaction of several changing calls
BEGIN;
SELECT customers.patch('cus_n1', '{"name": "One again"}') -> 'version' AS version;
SELECT customers.archive('cus_n4') -> 'version' AS version;
COMMIT;
-- users, payment methods and class labels notify too (they have events)
SELECT customers.create_user('cus_n1', '{"email": "n@example.com"}') ->> 'email' AS email;
-- delete wakes the listener; a failed delete does not
SELECT customers.save('{"data": [{"id": "cus_n5", "name": "Five"}]}') ->> 'result' AS result;
SELECT raises($$SELECT customers.delete('cus_nope')$$);
SELECT customers.delete('cus_n5') ->> 'deleted' AS deleted;
SELECT customers.save_payment_method('cus_n1', '{"type": "BANK_ACCOUNT", "bankAccount": {"last4": "1234"}}')
	->> 'type' AS method;
SELECT customers.save_class_labels('{"data": [{"id": "cll_n", "name": "N", "requiredness": "NOT_REQUIRED"}]}')
	->> 'result' AS label;
-- a failed call sends nothing
SELECT raises($$SELECT customers.create_user('cus_n1', '{"email": "n@example.com"}')$$);
SELECT 'done' AS note;

\o
\! sed -E 's/PID [0-9]+\./PID <pid>./' results/84_notify.capture
UNLISTEN customers_changes;
SELECT customers.get('cus_n3') ->> 'name' AS n3_name, customers.get('cus_n4') ->> 'name' AS n4_name;
