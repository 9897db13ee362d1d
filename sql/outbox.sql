-- Outbox operations: stats, purge, wake-up requests. Self-contained: every
-- row already there is marked published two days ago first.
SELECT 1 FROM profile.create_profile('e0000000-0000-4000-8000-000000000001', 'judy', 'Judy');
UPDATE profile.outbox SET published_at = now() - interval '2 days' WHERE published_at IS NULL;
SELECT pending, oldest_pending_age, published > 0 AS some_published, quarantined FROM profile.outbox_stats();
-- nothing pending: the publisher may sleep
SELECT profile.request_wakeup();
SELECT preloaded, wakeup_requested FROM profile.wakeup_stats();

-- the request is claimed by exactly one writing transaction
SELECT notifies_sent AS sent_before FROM profile.wakeup_stats() \gset
SELECT 1 FROM profile.set_status('e0000000-0000-4000-8000-000000000001', 'online');
SELECT 1 FROM profile.set_status('e0000000-0000-4000-8000-000000000001', 'away');
SELECT wakeup_requested, notifies_sent - :sent_before AS notifies FROM profile.wakeup_stats();
SELECT pending, oldest_pending_age >= interval '0' AS aged, quarantined FROM profile.outbox_stats();
-- something pending: do not sleep
SELECT profile.request_wakeup();

-- a transaction that rolls back does not use up the request
BEGIN;
SELECT 1 FROM profile.set_status('e0000000-0000-4000-8000-000000000001', 'busy');
ROLLBACK;
SELECT wakeup_requested, notifies_sent - :sent_before AS notifies FROM profile.wakeup_stats();
-- a transaction that writes nothing does not either
SELECT 1 FROM profile.set_status('e0000000-0000-4000-8000-000000000001', 'away');
SELECT wakeup_requested FROM profile.wakeup_stats();
SELECT 1 FROM profile.set_status('e0000000-0000-4000-8000-000000000001', 'busy');
SELECT wakeup_requested, notifies_sent - :sent_before AS notifies FROM profile.wakeup_stats();

-- quarantined rows are counted apart from pending ones
UPDATE profile.outbox SET quarantined_at = now(), last_error = 'test'
WHERE id = (SELECT max(id) FROM profile.outbox);
SELECT pending, quarantined FROM profile.outbox_stats();

-- purge removes only published rows older than the age given
SELECT profile.purge_outbox('3 days');
SELECT profile.purge_outbox('1 day') > 0 AS purged_old;
SELECT count(*) FILTER (WHERE published_at IS NOT NULL) AS published_left,
       count(*) FILTER (WHERE published_at IS NULL) AS unpublished_left
FROM profile.outbox;
SELECT published FROM profile.outbox_stats();
