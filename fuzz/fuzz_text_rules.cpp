/*
 * Feeds every input to every field through the C facade and checks what any
 * stored value must satisfy: valid UTF-8, within the field's limits and the
 * documented byte bound, already normalised (normalising it again changes
 * nothing), and rejections reported as messages, never as internal errors.
 */
#include "core_api.h"
#include "status_rules.hpp"
#include "text_rules.hpp"
#include "utf8.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <strings.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace
{

void
require(bool ok, const char *what, rp_field field, std::string_view value)
{
	if (ok)
		return;
	std::fprintf(stderr, "invariant broken for %s: %s (value of %zu bytes)\n", rp_field_name(field), what, value.size());
	std::abort();
}

struct limits
{
	size_t		min_chars;
	size_t		max_chars;
};

limits
limits_of(rp_field field)
{
	switch (field)
	{
		case RP_FIELD_USERNAME:
			return {realchat::username_min_chars, realchat::username_max_chars};
		case RP_FIELD_DISPLAY_NAME:
		case RP_FIELD_NICKNAME:
			return {1, realchat::short_text_max_chars};
		case RP_FIELD_BIO:
		case RP_FIELD_REASON:
			return {0, realchat::long_text_max_chars};
		case RP_FIELD_AVATAR_URL:
			return {0, realchat::avatar_url_max_chars};
		case RP_FIELD_STATUS_TEXT:
			return {1, realchat::status_text_max_chars};
		case RP_FIELD_STATUS_EMOJI:
			/* one cluster of at most 32 bytes: at most 32 code points */
			return {1, realchat::status_emoji_max_bytes};
	}
	std::abort();
}

bool
starts_or_ends_with_white_space(std::string_view s)
{
	if (s.empty())
		return false;

	size_t		pos = 0;
	const char32_t first = realchat::utf8::decode(s, pos);
	char32_t	last = first;

	while (pos < s.size())
		last = realchat::utf8::decode(s, pos);
	return u_isUWhiteSpace(static_cast<UChar32>(first)) || u_isUWhiteSpace(static_cast<UChar32>(last));
}

/*
 * The character rules restated with ICU's own decoder and categories, so a
 * rule dropped from text_rules.cpp shows up here.
 */
bool
obeys_character_rules(rp_field field, std::string_view s)
{
	int32_t		i = 0;
	const int32_t length = static_cast<int32_t>(s.size());

	while (i < length)
	{
		UChar32		c;

		U8_NEXT(reinterpret_cast<const uint8_t *>(s.data()), i, length, c);
		if (c < 0)
			return false;

		const bool control = u_charType(c) == U_CONTROL_CHAR;
		const bool bidi = (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);

		switch (field)
		{
			case RP_FIELD_USERNAME:
				if (!(c < 0x80 && (isalnum(c) || c == '_')) || (i == 1 && !isalpha(c)))
					return false;
				break;
			case RP_FIELD_DISPLAY_NAME:
			case RP_FIELD_NICKNAME:
			case RP_FIELD_STATUS_TEXT:
				if (control || bidi || c == 0x2028 || c == 0x2029)
					return false;
				break;
			case RP_FIELD_STATUS_EMOJI:
				break;
			case RP_FIELD_BIO:
			case RP_FIELD_REASON:
				if ((control && c != '\n') || bidi)
					return false;
				break;
			case RP_FIELD_AVATAR_URL:
				if (control || u_hasBinaryProperty(c, UCHAR_WHITE_SPACE))
					return false;
				break;
		}
	}
	if (field != RP_FIELD_AVATAR_URL)
		return true;

	/* an @ is fine only after the host has ended */
	const size_t at = s.find('@');

	return s.size() > 8 && strncasecmp(s.data(), "https://", 8) == 0 &&
		(at == std::string_view::npos || at > s.find_first_of("/?#", 8));
}

void
check_field(rp_field field, std::string_view in)
{
	static char out[RP_MAX_FIELD_BYTES + 1];
	rp_error	err;
	const size_t n = rp_normalize_field(field, in.data(), in.size(), out, sizeof(out), &err);

	if (n == RP_FAILED)
	{
		const std::string prefix = std::string(rp_field_name(field)) + " ";

		require(err.kind == RP_ERROR_INVALID_VALUE, err.message, field, in);
		require(std::strncmp(err.message, prefix.c_str(), prefix.size()) == 0, "message names the field", field, in);
		require(realchat::utf8::find_invalid(err.message) == std::string_view::npos, "message is UTF-8", field, in);
		require(out[0] == '\0', "failure leaves an empty string", field, in);
		return;
	}

	require(n <= RP_MAX_FIELD_BYTES, "within RP_MAX_FIELD_BYTES", field, in);
	require(out[n] == '\0', "NUL-terminated when there is room", field, in);

	const std::string stored(out, n);
	const limits lim = limits_of(field);
	const size_t chars = realchat::utf8::count_code_points(stored);

	require(realchat::utf8::find_invalid(stored) == std::string_view::npos, "stored value is UTF-8", field, in);
	require(chars >= lim.min_chars && chars <= lim.max_chars, "stored length within limits", field, in);
	require(obeys_character_rules(field, stored), "stored value obeys the character rules", field, in);
	require(rp_normalize_field(field, in.data(), in.size(), nullptr, 0, &err) == n, "sizing call agrees", field, in);

	/* what is stored must pass again unchanged */
	const size_t again = rp_normalize_field(field, stored.data(), stored.size(), out, sizeof(out), &err);

	require(again == n && stored == std::string_view(out, again), "normalising the stored value is a no-op", field, in);

	switch (field)
	{
		case RP_FIELD_USERNAME:
		case RP_FIELD_AVATAR_URL:
			require(stored == in, "stored as given", field, in);
			break;
		case RP_FIELD_STATUS_EMOJI:
			require(stored == in, "stored as given", field, in);
			require(stored.size() <= realchat::status_emoji_max_bytes, "at most 32 bytes", field, in);
			break;
		case RP_FIELD_DISPLAY_NAME:
		case RP_FIELD_NICKNAME:
		case RP_FIELD_STATUS_TEXT:
			require(!starts_or_ends_with_white_space(stored), "trimmed", field, in);
			require(realchat::to_nfc(stored) == stored, "NFC", field, in);
			break;
		case RP_FIELD_BIO:
		case RP_FIELD_REASON:
			require(realchat::to_nfc(stored) == stored, "NFC", field, in);
			break;
	}
}

}								/* namespace */

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const std::string_view in(reinterpret_cast<const char *>(data), size);

	for (const rp_field field : {RP_FIELD_USERNAME, RP_FIELD_DISPLAY_NAME, RP_FIELD_NICKNAME,
			RP_FIELD_BIO, RP_FIELD_REASON, RP_FIELD_AVATAR_URL, RP_FIELD_STATUS_TEXT, RP_FIELD_STATUS_EMOJI})
		check_field(field, in);
	return 0;
}
