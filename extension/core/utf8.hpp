/*
 * utf8.hpp: strict UTF-8 decoding, shared by the text rules and the payload
 * builder. Header-only, so the PGXS build of the module needs no extra source.
 */
#ifndef REALCHAT_CORE_UTF8_HPP
#define REALCHAT_CORE_UTF8_HPP

#include <cstddef>
#include <string_view>

namespace realchat::utf8
{

/* What decode() returns for a malformed sequence; never a code point. */
inline constexpr char32_t invalid = 0xFFFFFFFF;

/*
 * Decodes the code point that starts at s[pos] (pos < s.size()) and moves pos
 * past it. Rejects what PostgreSQL rejects: overlong forms, surrogates, values
 * above U+10FFFF and truncated sequences; then pos is unchanged.
 */
inline char32_t
decode(std::string_view s, size_t &pos) noexcept
{
	const unsigned char lead = static_cast<unsigned char>(s[pos]);

	if (lead < 0x80)
	{
		++pos;
		return lead;
	}

	size_t		length;
	char32_t	cp;
	char32_t	smallest;

	if (lead >= 0xC2 && lead <= 0xDF)
	{
		length = 2;
		cp = lead & 0x1F;
		smallest = 0x80;
	}
	else if (lead >= 0xE0 && lead <= 0xEF)
	{
		length = 3;
		cp = lead & 0x0F;
		smallest = 0x800;
	}
	else if (lead >= 0xF0 && lead <= 0xF4)
	{
		length = 4;
		cp = lead & 0x07;
		smallest = 0x10000;
	}
	else
		return invalid;

	if (s.size() - pos < length)
		return invalid;
	for (size_t i = 1; i < length; ++i)
	{
		const unsigned char next = static_cast<unsigned char>(s[pos + i]);

		if ((next & 0xC0) != 0x80)
			return invalid;
		cp = (cp << 6) | (next & 0x3F);
	}
	if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return invalid;
	pos += length;
	return cp;
}

/* Byte offset of the first malformed sequence, or npos when s is valid. */
inline size_t
find_invalid(std::string_view s) noexcept
{
	size_t		pos = 0;

	while (pos < s.size())
	{
		/* ASCII is by far the common case: skip it without decoding */
		if (static_cast<unsigned char>(s[pos]) < 0x80)
			++pos;
		else if (decode(s, pos) == invalid)
			return pos;
	}
	return std::string_view::npos;
}

/* Number of code points in s, which must be valid UTF-8. */
inline size_t
count_code_points(std::string_view s) noexcept
{
	size_t		count = 0;

	for (const char c : s)
		count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
	return count;
}

}								/* namespace realchat::utf8 */

#endif
