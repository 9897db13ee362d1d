-- The same rows in the same order as a plain SELECT over the owner's lists.
\set o random(1, :owners)
\set n random(1, 1000)
SELECT o.id, c.user_id IS NOT NULL, COALESCE(c.is_favorite, false),
       EXISTS (SELECT 1 FROM profile.contacts r WHERE r.user_id = o.id AND r.contact_user_id = bench.uid(:o)),
       EXISTS (SELECT 1 FROM profile.blocks b WHERE b.user_id = bench.uid(:o) AND b.blocked_user_id = o.id),
       m.user_id IS NOT NULL, m.expires_at
FROM (SELECT id, min(ord) AS ord FROM unnest((SELECT ids FROM bench.id_sets WHERE n = :n)) WITH ORDINALITY AS t(id, ord)
      GROUP BY id) o
JOIN profile.profiles p ON p.user_id = o.id
LEFT JOIN profile.contacts c ON c.user_id = bench.uid(:o) AND c.contact_user_id = o.id
LEFT JOIN profile.mutes m ON m.user_id = bench.uid(:o) AND m.muted_user_id = o.id
  AND (m.expires_at IS NULL OR m.expires_at > now())
ORDER BY o.ord;
