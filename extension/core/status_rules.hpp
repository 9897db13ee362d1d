/*
 * status_rules.hpp: the custom status emoji rule and the W3C traceparent
 * syntax, free of PostgreSQL like the rest of the core.
 */
#ifndef REALCHAT_CORE_STATUS_RULES_HPP
#define REALCHAT_CORE_STATUS_RULES_HPP

#ifdef POSTGRES_H
#error "the core must stay free of PostgreSQL: include core_api.h from the glue instead"
#endif

#include "invalid_value.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace realchat
{

inline constexpr size_t status_emoji_max_bytes = 32;

/*
 * status_emoji: exactly one extended grapheme cluster (ICU's character break
 * iterator) that holds an Extended_Pictographic or Regional_Indicator code
 * point, at most 32 bytes; stored unchanged. Throws invalid_value otherwise.
 */
std::string check_status_emoji(std::string_view in);

/*
 * A W3C Trace Context traceparent: version (2 lower-case hex, not "ff"),
 * trace-id (32, not all zero), parent-id (16, not all zero), flags (2), joined
 * by '-'. Version 00 is exactly 55 characters; a later version may append
 * fields after another '-'.
 */
bool is_valid_traceparent(std::string_view in) noexcept;

}								/* namespace realchat */

#endif
