/* status_rules.cpp: see status_rules.hpp. */
#include "status_rules.hpp"

#include "utf8.hpp"

#include <memory>
#include <stdexcept>

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

namespace realchat
{

namespace
{

constexpr std::string_view emoji_field = "status_emoji";

[[noreturn]] void
reject(std::string_view what)
{
	std::string text(emoji_field);

	text += ' ';
	text += what;
	throw invalid_value(text);
}

/* Byte length of the first extended grapheme cluster of valid UTF-8 `in`. */
size_t
first_cluster_bytes(std::string_view in)
{
	UErrorCode	status = U_ZERO_ERROR;
	UText	   *text = utext_openUTF8(nullptr, in.data(), static_cast<int64_t>(in.size()), &status);

	if (U_FAILURE(status))
		throw std::runtime_error(std::string("status_emoji: cannot open text: ") + u_errorName(status));

	std::unique_ptr<UText, UText *(*)(UText *)> guard(text, utext_close);
	std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));

	if (U_FAILURE(status) || !it)
		throw std::runtime_error(std::string("status_emoji: no character break iterator: ") + u_errorName(status));
	it->setText(text, status);
	if (U_FAILURE(status))
		throw std::runtime_error(std::string("status_emoji: cannot set text: ") + u_errorName(status));
	it->first();

	const int32_t end = it->next();	/* a UTF-8 UText indexes by byte */

	return end == icu::BreakIterator::DONE ? in.size() : static_cast<size_t>(end);
}

constexpr bool
is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* n lower-case hex digits at s[pos], not all zero when nonzero is set. */
bool
hex_field(std::string_view s, size_t pos, size_t n, bool nonzero)
{
	bool		any = false;

	for (size_t i = pos; i < pos + n; ++i)
	{
		if (!is_hex_lower(s[i]))
			return false;
		any = any || s[i] != '0';
	}
	return any || !nonzero;
}

}								/* namespace */

std::string
check_status_emoji(std::string_view in)
{
	if (utf8::find_invalid(in) != std::string_view::npos)
		reject("must be valid UTF-8");
	if (in.empty())
		reject("must be one emoji, not empty");
	if (in.size() > status_emoji_max_bytes)
		reject("must be at most 32 bytes");
	if (first_cluster_bytes(in) != in.size())
		reject("must be exactly one emoji");

	size_t		pos = 0;

	while (pos < in.size())
	{
		const UChar32 cp = static_cast<UChar32>(utf8::decode(in, pos));

		if (u_hasBinaryProperty(cp, UCHAR_EXTENDED_PICTOGRAPHIC) ||
			u_hasBinaryProperty(cp, UCHAR_REGIONAL_INDICATOR))
			return std::string(in);
	}
	reject("must be an emoji");
}

bool
is_valid_traceparent(std::string_view in) noexcept
{
	constexpr size_t v00_length = 55;

	if (in.size() < v00_length)
		return false;
	if (!hex_field(in, 0, 2, false) || in.substr(0, 2) == "ff")
		return false;
	if (in[2] != '-' || in[35] != '-' || in[52] != '-')
		return false;
	if (!hex_field(in, 3, 32, true) || !hex_field(in, 36, 16, true) || !hex_field(in, 53, 2, false))
		return false;
	if (in.substr(0, 2) == "00")
		return in.size() == v00_length;
	return in.size() == v00_length || in[v00_length] == '-';
}

}								/* namespace realchat */
