/*
 * row_locks.h: the row locks an API call takes before it changes anything.
 *
 * Every event of a user is written under the lock of that user's profile row, and some calls
 * need more than one user's row: add_contact and block_user the owner's (to write the event)
 * and the other user's (that it exists until commit); delete_profile the deleted user's and
 * that of every user whose contact list holds them. Taken in whatever order the work meets
 * them, two such calls can each hold what the other waits for. So an API call takes its
 * profile row locks in one global order (user_id ascending) before it locks a list row;
 * a deadlock needs two calls waiting on each other's locks in opposite orders, which this
 * rules out. Hand-made DML does not go through here and is not ordered.
 */
#ifndef REALCHAT_ROW_LOCKS_H
#define REALCHAT_ROW_LOCKS_H

#include "pg_glue.h"

/* The owner's row, for a change of the owner's lists (FOR NO KEY UPDATE). */
void		rp_lock_owner(const pg_uuid_t *owner);

/* The owner's row (FOR NO KEY UPDATE) and the other user's (FOR KEY SHARE), in order. */
void		rp_lock_owner_and_other(const pg_uuid_t *owner, const pg_uuid_t *other);

/*
 * For an INSERT whose trigger takes the owner's row and then the other user's (add_contact,
 * block_user): that is already the order when the owner comes first, so only an other user
 * who comes first is locked (FOR KEY SHARE) beforehand.
 */
void		rp_lock_other_if_first(const pg_uuid_t *owner, const pg_uuid_t *other);

/*
 * The deleted user's row (FOR UPDATE) and every row whose lists hold the user, in order: the
 * contacts, and with_mutes (schema 1.1) the mutes.
 */
void		rp_lock_for_delete(const pg_uuid_t *user_id, bool with_mutes);

#endif
