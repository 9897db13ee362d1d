-- The visibility rules, table-driven: every combination of the facts (the owner blocks the
-- viewer, the owner's presence_audience, the viewer in the owner's contacts, the owner
-- invisible, the viewer's own presence_audience, discoverable) through every read that takes a
-- viewer: get_profile, get_profiles, find_profile_by_username, search_profiles and the viewer's
-- list_contacts. They must agree with each other and with the contract's rules written out here.
CREATE TEMP TABLE owners AS
SELECT row_number() OVER () AS n, rel, aud::profile.audience AS aud, inv, disc,
       ('b1000000-0000-4000-8000-' || lpad(to_hex(row_number() OVER ()), 12, '0'))::uuid AS id,
       format('own_%s_%s_%s_%s', rel, aud, CASE WHEN inv THEN 'inv' ELSE 'vis' END, CASE WHEN disc THEN 'disc' ELSE 'hid' END) AS username
FROM unnest(ARRAY['blocks', 'contact', 'stranger']) rel,
     unnest(ARRAY['everyone', 'contacts', 'nobody']) aud,
     unnest(ARRAY[false, true]) inv,
     unnest(ARRAY[false, true]) disc;
-- Two viewers: ve shows presence to everyone, vn to nobody (reciprocity).
CREATE TEMP TABLE viewers (id uuid, username text, aud profile.audience);
INSERT INTO viewers VALUES ('b2000000-0000-4000-8000-00000000000e', 'viewer_ev', 'everyone'),
                           ('b2000000-0000-4000-8000-00000000000f', 'viewer_nb', 'nobody');
SELECT count(*) FROM viewers v, profile.create_profile(v.id, v.username, 'Viewer') p;
SELECT count(*) FROM viewers v, profile.set_privacy(v.id, v.aud) p;
SELECT count(*) FROM owners o, profile.create_profile(o.id, o.username, 'Owner ' || o.n) p;
SELECT count(*) FROM owners o, profile.set_status(o.id, 'online') p;
SELECT count(*) FROM owners o, profile.set_status(o.id, 'invisible') p WHERE o.inv;
SELECT count(*) FROM owners o, profile.set_privacy(o.id, o.aud, o.disc) p;
SELECT count(*) FROM owners o, viewers v, profile.add_contact(o.id, v.id) p WHERE o.rel = 'contact';
SELECT count(*) FROM owners o, viewers v, profile.block_user(o.id, v.id) p WHERE o.rel = 'blocks';
-- Each viewer lists every owner, so list_contacts shows each owner to each viewer.
SELECT count(*) FROM owners o, viewers v, profile.add_contact(v.id, o.id) p;
-- Custom status, to see rule 1 hide it (written by hand: the columns are part of 1.1).
UPDATE profile.profiles SET status_text = 'At work' WHERE user_id IN (SELECT id FROM owners);

-- The rules as the contract words them.
CREATE TEMP TABLE expected AS
SELECT o.n, o.id AS owner, v.id AS viewer, o.rel, o.aud, o.inv, o.disc, v.aud AS viewer_aud,
       CASE WHEN o.rel = 'blocks' OR o.aud = 'nobody' OR (o.aud = 'contacts' AND o.rel <> 'contact') OR o.inv
            THEN 'offline' ELSE 'online' END AS status,
       -- an invisible owner's last_seen is shown frozen (rule 3), unless another rule hides it
       NOT (o.rel = 'blocks' OR o.aud = 'nobody' OR (o.aud = 'contacts' AND o.rel <> 'contact')
            OR v.aud = 'nobody') AS last_seen_shown,
       o.rel <> 'blocks' AS status_text_shown,
       o.disc OR o.rel = 'contact' AS found_by_username,
       (o.disc OR o.rel = 'contact') AND o.rel <> 'blocks' AS found_by_search
FROM owners o, viewers v;

CREATE TEMP TABLE seen AS
SELECT e.n, e.viewer, 'get_profile' AS fn, g.status::text, g.last_seen IS NOT NULL AS last_seen_shown,
       g.status_text IS NOT NULL AS status_text_shown, true AS found
FROM expected e, profile.get_profile(e.owner, e.viewer) g
UNION ALL
SELECT e.n, e.viewer, 'get_profiles', g.status::text, g.last_seen IS NOT NULL, g.status_text IS NOT NULL, true
FROM expected e
JOIN profile.get_profiles(ARRAY(SELECT id FROM owners ORDER BY n), 'b2000000-0000-4000-8000-00000000000e') g
  ON g.user_id = e.owner AND e.viewer = 'b2000000-0000-4000-8000-00000000000e'
UNION ALL
SELECT e.n, e.viewer, 'get_profiles', g.status::text, g.last_seen IS NOT NULL, g.status_text IS NOT NULL, true
FROM expected e
JOIN profile.get_profiles(ARRAY(SELECT id FROM owners ORDER BY n), 'b2000000-0000-4000-8000-00000000000f') g
  ON g.user_id = e.owner AND e.viewer = 'b2000000-0000-4000-8000-00000000000f'
UNION ALL
SELECT e.n, e.viewer, 'find_profile_by_username', f.status::text, f.last_seen IS NOT NULL, f.status_text IS NOT NULL, true
FROM expected e JOIN owners o ON o.n = e.n, profile.find_profile_by_username(upper(o.username), e.viewer) f
UNION ALL
SELECT e.n, e.viewer, 'search_profiles', s.status::text, s.last_seen IS NOT NULL, s.status_text IS NOT NULL, true
FROM expected e JOIN owners o ON o.n = e.n, profile.search_profiles(o.username, e.viewer, 50) s
WHERE s.user_id = e.owner
UNION ALL
SELECT e.n, e.viewer, 'list_contacts', l.status::text, l.last_seen IS NOT NULL, NULL, true
FROM expected e, profile.list_contacts(e.viewer, "limit" => 1000) l
WHERE l.contact_user_id = e.owner;

-- Every read returned what it must (lookups only what rule 5 and the blocks allow) ...
SELECT fn, count(*) AS rows FROM seen GROUP BY fn ORDER BY fn;
SELECT e.n, e.rel, e.aud, e.inv, e.disc, f.fn, 'missing or extra' AS problem
FROM expected e CROSS JOIN (VALUES ('get_profile'), ('get_profiles'), ('find_profile_by_username'),
                                   ('search_profiles'), ('list_contacts')) f(fn)
WHERE (EXISTS (SELECT 1 FROM seen s WHERE s.n = e.n AND s.viewer = e.viewer AND s.fn = f.fn))
   <> CASE f.fn WHEN 'find_profile_by_username' THEN e.found_by_username
                WHEN 'search_profiles' THEN e.found_by_search ELSE true END
ORDER BY 1, 6;
-- ... and every row shows exactly what the rules leave.
SELECT e.n, e.rel, e.aud, e.inv, e.disc, e.viewer_aud, s.fn, s.status, s.last_seen_shown, s.status_text_shown
FROM expected e JOIN seen s ON s.n = e.n AND s.viewer = e.viewer
WHERE s.status <> e.status OR s.last_seen_shown <> e.last_seen_shown
   OR s.status_text_shown IS DISTINCT FROM CASE WHEN s.fn = 'list_contacts' THEN NULL ELSE e.status_text_shown END
ORDER BY 1, 7;
-- The outcomes the table covers.
SELECT status, last_seen_shown, status_text_shown, found_by_username, found_by_search, count(*)
FROM expected GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;

-- The owner themself and a trusted caller (viewer => null) see the stored values.
SELECT o.username, g.status, g.last_seen IS NOT NULL AS last_seen, g.status_text, t.status AS trusted_status
FROM owners o, profile.get_profile(o.id, o.id) g, profile.get_profile(o.id) t
WHERE o.rel = 'blocks' AND o.aud = 'nobody' AND o.inv AND NOT o.disc;
SELECT count(*) AS found_by_themself FROM owners o, profile.find_profile_by_username(o.username, o.id) f;
SELECT count(*) AS found_by_trusted FROM owners o, profile.search_profiles(o.username) s WHERE s.user_id = o.id;

-- Rule 3's frozen last_seen: other viewers see last_seen as it was when the owner went invisible
-- (profile.presence_state), not the activity since; a null from another rule still wins over it.
SELECT count(*) FROM owners o, profile.heartbeat(o.id) h WHERE o.inv;
SELECT o.username, v.username AS viewer, g.status, g.last_seen = s.frozen_last_seen AS frozen,
       g.last_seen IS NULL AS hidden, p.last_seen > s.frozen_last_seen AS active_since
FROM owners o JOIN profile.presence_state s ON s.user_id = o.id JOIN profile.profiles p ON p.user_id = o.id,
     viewers v, profile.get_profile(o.id, v.id) g
WHERE o.inv AND o.aud = 'everyone' AND o.disc AND o.rel <> 'blocks'
ORDER BY 1, 2;
