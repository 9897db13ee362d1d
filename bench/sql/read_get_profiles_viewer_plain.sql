-- The same rows in the same order as a plain SELECT applying the same rules.
\set n random(1, 1000)
\set v random(1, :users)
SELECT p.user_id, p.username, p.display_name, p.bio, p.avatar_url,
       CASE WHEN b.user_id IS NOT NULL OR p.presence_audience = 'nobody'
              OR (p.presence_audience = 'contacts' AND c.user_id IS NULL) OR p.status = 'invisible'
            THEN 'offline' ELSE p.status END AS status,
       CASE WHEN b.user_id IS NOT NULL OR p.presence_audience = 'nobody'
              OR (p.presence_audience = 'contacts' AND c.user_id IS NULL) OR p.status = 'invisible'
              OR vp.presence_audience = 'nobody'
            THEN NULL ELSE p.last_seen END AS last_seen,
       p.version, p.created_at, p.updated_at,
       CASE WHEN b.user_id IS NULL THEN p.status_text END AS status_text,
       CASE WHEN b.user_id IS NULL THEN p.status_emoji END AS status_emoji,
       CASE WHEN b.user_id IS NULL THEN p.status_expires_at END AS status_expires_at,
       p.presence_audience, p.discoverable
FROM unnest((SELECT ids FROM bench.id_sets WHERE n = :n)) WITH ORDINALITY AS u(id, ord)
JOIN profile.profiles p ON p.user_id = u.id
LEFT JOIN profile.blocks b ON b.user_id = p.user_id AND b.blocked_user_id = bench.uid(:v)
LEFT JOIN profile.contacts c ON c.user_id = p.user_id AND c.contact_user_id = bench.uid(:v)
LEFT JOIN profile.profiles vp ON vp.user_id = bench.uid(:v)
ORDER BY u.ord;
