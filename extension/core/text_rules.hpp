/*
 * text_rules.hpp: the contract's validation rules for profile text, and the
 * normalised form each field is stored in. Lengths count code points of the
 * stored form. Every function throws invalid_value with the message for the
 * user (lower-case, field name first) when the value breaks a rule.
 */
#ifndef REALCHAT_CORE_TEXT_RULES_HPP
#define REALCHAT_CORE_TEXT_RULES_HPP

#ifdef POSTGRES_H
#error "the core must stay free of PostgreSQL: include core_api.h from the glue instead"
#endif

#include "invalid_value.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace realchat
{

inline constexpr size_t username_min_chars = 3;
inline constexpr size_t username_max_chars = 32;
inline constexpr size_t short_text_max_chars = 64;	/* display_name, nickname */
inline constexpr size_t status_text_max_chars = 100;
inline constexpr size_t long_text_max_chars = 500;	/* bio, reason */
inline constexpr size_t avatar_url_max_chars = 2048;

/*
 * No character's canonical decomposition is longer than this (a unit test
 * checks it against the linked ICU), so NFC output has at least a quarter of
 * the input's code points: longer input can be rejected without normalising.
 */
inline constexpr size_t max_canonical_decomposition = 4;

/* username: ASCII letters, digits and _, starting with a letter; unchanged. */
std::string normalize_username(std::string_view in);

/*
 * display_name and nickname (`field` names it in messages), and status_text
 * with a longer limit: trimmed of surrounding white space, NFC; 1 to
 * max_chars characters; no control characters, line breaks or bidi overrides
 * and isolates.
 */
std::string normalize_short_text(std::string_view field, std::string_view in,
								 size_t max_chars = short_text_max_chars);

/* bio and reason: NFC; no control characters but line feed, no bidi controls. */
std::string normalize_long_text(std::string_view field, std::string_view in);

/* avatar_url: an absolute https:// URL with a host; unchanged. */
std::string normalize_avatar_url(std::string_view in);

/* NFC of valid UTF-8; throws std::runtime_error if ICU fails. */
std::string to_nfc(std::string_view in);

}								/* namespace realchat */

#endif
