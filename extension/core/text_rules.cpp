/*
 * text_rules.cpp: validation and normalisation of profile text (see
 * text_rules.hpp and the contract's "Validation" section).
 */
#include "text_rules.hpp"

#include "utf8.hpp"

#include <arpa/inet.h>
#include <climits>
#include <cstdint>

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/utypes.h>

namespace realchat
{

namespace
{

std::string
message(std::string_view field, std::string_view what)
{
	std::string text(field);

	text += ' ';
	text += what;
	return text;
}

[[noreturn]] void
reject(std::string_view field, std::string_view what)
{
	throw invalid_value(message(field, what));
}

void
require_utf8(std::string_view field, std::string_view in)
{
	if (utf8::find_invalid(in) != std::string_view::npos)
		reject(field, "must be valid UTF-8");
}

bool
is_white_space(char32_t cp)
{
	return u_isUWhiteSpace(static_cast<UChar32>(cp));
}

/* General category Cc: C0, DEL and C1. */
constexpr bool
is_control(char32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* Explicit bidi overrides and embeddings (U+202A..E) and isolates (U+2066..9). */
constexpr bool
is_bidi_control(char32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

constexpr bool
is_line_break(char32_t cp)
{
	return (cp >= 0x0A && cp <= 0x0D) || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

/* Which characters a free-text field forbids beyond the common rules. */
enum class text_kind
{
	single_line,				/* display_name, nickname */
	multi_line					/* bio, reason: line feed allowed */
};

void
check_characters(std::string_view field, std::string_view text, text_kind kind)
{
	size_t		pos = 0;

	while (pos < text.size())
	{
		const char32_t cp = utf8::decode(text, pos);

		if (kind == text_kind::multi_line && cp == '\n')
			continue;
		/* line breaks first: "\n" in a name is better explained that way */
		if (kind == text_kind::single_line && is_line_break(cp))
			reject(field, "must not contain line breaks");
		if (is_control(cp))
			reject(field, "must not contain control characters");
		if (is_bidi_control(cp))
			reject(field, "must not contain bidirectional control characters");
	}
}

/*
 * A name made only of Default_Ignorable_Code_Point characters (zero-width
 * space and joiners, BOM, word joiner, variation selectors, ...) renders as
 * nothing: a blank name that passes the length rule. Such characters inside
 * a visible name stay allowed (emoji sequences and some scripts need ZWJ/ZWNJ).
 */
void
require_visible(std::string_view field, std::string_view text)
{
	size_t		pos = 0;

	while (pos < text.size())
		if (!u_hasBinaryProperty(static_cast<UChar32>(utf8::decode(text, pos)), UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
			return;
	if (!text.empty())
		reject(field, "must contain a visible character, not only zero-width or other invisible ones");
}

/* in without leading and trailing Unicode White_Space. */
std::string_view
trim_white_space(std::string_view in)
{
	size_t		begin = in.size();
	size_t		end = 0;
	size_t		pos = 0;

	while (pos < in.size())
	{
		const size_t start = pos;

		if (!is_white_space(utf8::decode(in, pos)))
		{
			if (begin == in.size())
				begin = start;
			end = pos;
		}
	}
	return begin < end ? in.substr(begin, end - begin) : std::string_view();
}

/*
 * Input with more than 4x the limit in code points cannot fit after NFC (see
 * max_canonical_decomposition); rejecting it here keeps huge input from
 * being normalised only to be thrown away.
 */
bool
cannot_fit_after_nfc(size_t input_chars, size_t max_chars)
{
	return input_chars > max_chars * max_canonical_decomposition;
}

std::string
length_message(std::string_view field, std::string_view rule, size_t got)
{
	return message(field, rule) + " (got " + std::to_string(got) + ")";
}

bool
is_ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool
is_ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
iequals_ascii(std::string_view a, std::string_view lower)
{
	if (a.size() != lower.size())
		return false;
	for (size_t i = 0; i < a.size(); ++i)
	{
		const char c = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];

		if (c != lower[i])
			return false;
	}
	return true;
}

constexpr std::string_view avatar_url_field = "avatar_url";

/* A DNS-style reg-name: letters, digits, '-' and '.', not starting or ending with '.'. */
bool
is_reg_name(std::string_view host)
{
	if (host.empty() || host.front() == '.' || host.back() == '.')
		return false;
	for (const char c : host)
		if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '-' && c != '.')
			return false;
	return true;
}

bool
is_ipv6_address(std::string_view text)
{
	/* 45 = the longest form, with an embedded IPv4 address */
	if (text.empty() || text.size() > 45)
		return false;

	char		copy[46];
	unsigned char address[16];

	text.copy(copy, text.size());
	copy[text.size()] = '\0';
	return inet_pton(AF_INET6, copy, address) == 1;
}

/* ":" then 1 to 5 digits, at most 65535. */
bool
is_port(std::string_view text)
{
	if (text.size() < 2 || text.size() > 6 || text.front() != ':')
		return false;

	unsigned	value = 0;

	for (const char c : text.substr(1))
	{
		if (!is_ascii_digit(c))
			return false;
		value = value * 10 + static_cast<unsigned>(c - '0');
	}
	return value <= 65535;
}

/* Checks the authority (host and port) of an https URL; no userinfo. */
void
check_authority(std::string_view authority)
{
	if (authority.find('@') != std::string_view::npos)
		reject(avatar_url_field, "must not contain user information (@) before the host");

	std::string_view host;
	std::string_view port;

	if (!authority.empty() && authority.front() == '[')
	{
		const size_t close = authority.find(']');

		if (close == std::string_view::npos || !is_ipv6_address(authority.substr(1, close - 1)))
			reject(avatar_url_field, "must have a valid host name or bracketed IPv6 address");
		port = authority.substr(close + 1);
	}
	else
	{
		const size_t colon = authority.find(':');

		host = authority.substr(0, colon);
		if (colon != std::string_view::npos)
			port = authority.substr(colon);
		if (host.empty())
			reject(avatar_url_field, "must be an absolute https:// URL with a host");
		if (!is_reg_name(host))
			reject(avatar_url_field, "must have a valid host name or bracketed IPv6 address");
	}
	if (!port.empty() && !is_port(port))
		reject(avatar_url_field, "must have a port of 1 to 5 digits, at most 65535");
}

}								/* namespace */

std::string
to_nfc(std::string_view in)
{
	if (in.size() > static_cast<size_t>(INT32_MAX))
		throw std::length_error("text too long to normalise");

	UErrorCode	status = U_ZERO_ERROR;
	const icu::Normalizer2 *nfc = icu::Normalizer2::getNFCInstance(status);

	if (U_FAILURE(status))
		throw std::runtime_error(std::string("cannot load ICU NFC data: ") + u_errorName(status));

	const icu::StringPiece piece(in.data(), static_cast<int32_t>(in.size()));

	/* most text is already NFC: skip building a copy through the sink */
	if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status))
		return std::string(in);
	status = U_ZERO_ERROR;

	std::string out;
	icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(in.size()));

	nfc->normalizeUTF8(0, piece, sink, nullptr, status);
	if (U_FAILURE(status))
		throw std::runtime_error(std::string("ICU NFC normalisation failed: ") + u_errorName(status));
	return out;
}

std::string
normalize_username(std::string_view in)
{
	constexpr std::string_view field = "username";

	require_utf8(field, in);
	if (!in.empty())
	{
		bool		ok = is_ascii_letter(in.front());

		for (const char c : in)
			ok = ok && (is_ascii_letter(c) || is_ascii_digit(c) || c == '_');
		if (!ok)
			reject(field, "must start with a letter and contain only ASCII letters, digits and _");
	}
	/* all ASCII from here on: bytes are characters */
	if (in.size() < username_min_chars || in.size() > username_max_chars)
		throw invalid_value(length_message(field, "must be 3 to 32 characters", in.size()));
	return std::string(in);
}

std::string
normalize_short_text(std::string_view field, std::string_view in, size_t max_chars)
{
	const std::string rule = "must be 1 to " + std::to_string(max_chars) + " characters after trimming";

	require_utf8(field, in);

	const std::string_view trimmed = trim_white_space(in);
	const size_t input_chars = utf8::count_code_points(trimmed);

	if (cannot_fit_after_nfc(input_chars, max_chars))
		throw invalid_value(length_message(field, rule, input_chars));

	std::string out = to_nfc(trimmed);

	/* checked on what is stored, so the stored value satisfies every rule */
	check_characters(field, out, text_kind::single_line);

	const size_t chars = utf8::count_code_points(out);

	if (chars < 1 || chars > max_chars)
		throw invalid_value(length_message(field, rule, chars));
	require_visible(field, out);
	return out;
}

std::string
normalize_long_text(std::string_view field, std::string_view in)
{
	const std::string rule = "must be at most " + std::to_string(long_text_max_chars) + " characters";

	require_utf8(field, in);

	const size_t input_chars = utf8::count_code_points(in);

	if (cannot_fit_after_nfc(input_chars, long_text_max_chars))
		throw invalid_value(length_message(field, rule, input_chars));

	std::string out = to_nfc(in);

	check_characters(field, out, text_kind::multi_line);

	const size_t chars = utf8::count_code_points(out);

	if (chars > long_text_max_chars)
		throw invalid_value(length_message(field, rule, chars));
	return out;
}

std::string
normalize_avatar_url(std::string_view in)
{
	constexpr std::string_view field = avatar_url_field;

	require_utf8(field, in);

	const size_t chars = utf8::count_code_points(in);

	if (chars > avatar_url_max_chars)
		throw invalid_value(length_message(field, "must be at most 2048 characters", chars));

	size_t		pos = 0;

	while (pos < in.size())
	{
		const char32_t cp = utf8::decode(in, pos);

		if (is_white_space(cp))
			reject(field, "must not contain white space");
		if (is_control(cp))
			reject(field, "must not contain control characters");
	}

	constexpr std::string_view separator = "://";
	constexpr size_t scheme_end = 5;	/* "https" */

	if (in.size() < scheme_end + separator.size() ||
		!iequals_ascii(in.substr(0, scheme_end), "https") ||
		in.substr(scheme_end, separator.size()) != separator)
		reject(field, "must be an absolute https:// URL with a host");

	const size_t authority_begin = scheme_end + separator.size();
	const size_t authority_end = in.find_first_of("/?#", authority_begin);

	check_authority(in.substr(authority_begin, authority_end == std::string_view::npos
							  ? std::string_view::npos
							  : authority_end - authority_begin));
	return std::string(in);
}

}								/* namespace realchat */
