-- The same rows as a plain SELECT: contacts joined with their profiles, presence masked
-- where the contact blocks the owner, in contact_user_id order.
\set o random(1, :owners)
SELECT c.contact_user_id, c.nickname, c.is_favorite, p.username, p.display_name, p.avatar_url,
       CASE WHEN b.user_id IS NULL THEN p.status ELSE 'offline'::profile.presence END AS status,
       CASE WHEN b.user_id IS NULL THEN p.last_seen END AS last_seen
FROM profile.contacts c
JOIN profile.profiles p ON p.user_id = c.contact_user_id
LEFT JOIN profile.blocks b ON b.user_id = c.contact_user_id AND b.blocked_user_id = c.user_id
WHERE c.user_id = bench.uid(:o)
ORDER BY c.contact_user_id LIMIT 1000;
