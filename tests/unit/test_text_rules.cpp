/*
 * The contract's validation rules, field by field, at their exact limits.
 */
#include "text_rules.hpp"
#include "utf8.hpp"

#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <functional>
#include <string>
#include <vector>

using namespace realchat;

namespace
{

using strings = std::vector<std::string>;

/* One code point as UTF-8. */
std::string
cp(char32_t c)
{
	std::string s;

	if (c < 0x80)
		s += static_cast<char>(c);
	else if (c < 0x800)
	{
		s += static_cast<char>(0xC0 | (c >> 6));
		s += static_cast<char>(0x80 | (c & 0x3F));
	}
	else if (c < 0x10000)
	{
		s += static_cast<char>(0xE0 | (c >> 12));
		s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
		s += static_cast<char>(0x80 | (c & 0x3F));
	}
	else
	{
		s += static_cast<char>(0xF0 | (c >> 18));
		s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
		s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
		s += static_cast<char>(0x80 | (c & 0x3F));
	}
	return s;
}

std::string
repeat(const std::string &s, size_t n)
{
	std::string out;

	for (size_t i = 0; i < n; ++i)
		out += s;
	return out;
}

/* The message a rule violation carries, or "<accepted>". */
std::string
error_of(const std::function<std::string()> &fn)
{
	try
	{
		fn();
	}
	catch (const invalid_value &e)
	{
		return e.what();
	}
	return "<accepted>";
}

std::string
display_name_error(const std::string &in)
{
	return error_of([&] { return normalize_short_text("display_name", in); });
}

std::string
bio_error(const std::string &in)
{
	return error_of([&] { return normalize_long_text("bio", in); });
}

std::string
url_error(const std::string &in)
{
	return error_of([&] { return normalize_avatar_url(in); });
}

std::string
username_error(const std::string &in)
{
	return error_of([&] { return normalize_username(in); });
}

const std::string kAccepted = "<accepted>";
const std::string kCjk = "\xE6\xBC\xA2";		/* U+6F22 */
const std::string kEmoji = "\xF0\x9F\x98\x80";	/* U+1F600 */
const std::string kEAcuteComposed = "\xC3\xA9";	/* U+00E9 */
const std::string kEAcuteDecomposed = "e\xCC\x81";	/* U+0065 U+0301 */

const char	kBadUtf8[][8] = {
	"\xFF",						/* never valid */
	"\xC0\xAF",					/* overlong '/' */
	"\xE0\x80\xAF",				/* overlong, 3 bytes */
	"\xED\xA0\x80",				/* surrogate U+D800 */
	"\xE6\xBC",					/* truncated */
	"\xF4\x90\x80\x80",			/* above U+10FFFF */
	"\x80",						/* lone continuation byte */
};

}								/* namespace */

/* ---- username ---- */

TEST(Username, AcceptsLettersDigitsUnderscoreAndKeepsCase)
{
	EXPECT_EQ(normalize_username("abc"), "abc");
	EXPECT_EQ(normalize_username("Alice_99"), "Alice_99");
	EXPECT_EQ(normalize_username("a__"), "a__");
	EXPECT_EQ(normalize_username("MiXeD"), "MiXeD");
	EXPECT_EQ(normalize_username("z" + std::string(31, '9')), "z" + std::string(31, '9'));
}

TEST(Username, LengthIsThreeToThirtyTwo)
{
	EXPECT_EQ(username_error("ab"), "username must be 3 to 32 characters (got 2)");
	EXPECT_EQ(username_error(""), "username must be 3 to 32 characters (got 0)");
	EXPECT_EQ(username_error("a" + std::string(32, 'b')), "username must be 3 to 32 characters (got 33)");
	EXPECT_EQ(username_error("a" + std::string(31, 'b')), kAccepted);
}

TEST(Username, MustStartWithALetterAndStayAscii)
{
	const std::string expected = "username must start with a letter and contain only ASCII letters, digits and _";

	for (const std::string &bad : strings {"1abc", "_abc", "a-bc", "ab c", "abc.", "ab" + kEAcuteComposed,
			"\xEF\xBD\x81\xEF\xBD\x82\xEF\xBD\x83" /* fullwidth abc */, std::string("ab\0c", 4)})
		EXPECT_EQ(username_error(bad), expected) << bad;
}

TEST(Username, RejectsInvalidUtf8)
{
	for (const char *bad : kBadUtf8)
		EXPECT_EQ(username_error(std::string("abc") + bad), "username must be valid UTF-8");
}

/* ---- display_name and nickname ---- */

TEST(ShortText, CountsCodePointsNotBytes)
{
	EXPECT_EQ(normalize_short_text("display_name", repeat(kCjk, 64)), repeat(kCjk, 64));
	EXPECT_EQ(display_name_error(repeat(kCjk, 65)),
			  "display_name must be 1 to 64 characters after trimming (got 65)");
	EXPECT_EQ(normalize_short_text("display_name", repeat(kEmoji, 64)), repeat(kEmoji, 64));
	EXPECT_EQ(display_name_error(repeat(kEmoji, 65)),
			  "display_name must be 1 to 64 characters after trimming (got 65)");
	EXPECT_EQ(normalize_short_text("display_name", "x"), "x");
}

TEST(ShortText, StoresNfcAndCountsAfterComposition)
{
	EXPECT_EQ(normalize_short_text("display_name", "Cafe\xCC\x81"), "Caf" + kEAcuteComposed);

	/* 128 code points in, 64 after NFC: fits */
	EXPECT_EQ(normalize_short_text("display_name", repeat(kEAcuteDecomposed, 64)), repeat(kEAcuteComposed, 64));
	EXPECT_EQ(display_name_error(repeat(kEAcuteDecomposed, 65)),
			  "display_name must be 1 to 64 characters after trimming (got 65)");

	/* x + acute has no precomposed form: stays two code points */
	EXPECT_EQ(display_name_error(repeat("x\xCC\x81", 33)),
			  "display_name must be 1 to 64 characters after trimming (got 66)");

	/* Hangul jamo L V T compose into one syllable each: 192 code points become 64 */
	const std::string jamo = "\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8";	/* U+1100 U+1161 U+11A8 */
	const std::string syllable = "\xEA\xB0\x81";	/* U+AC01 */

	EXPECT_EQ(normalize_short_text("display_name", repeat(jamo, 64)), repeat(syllable, 64));
}

TEST(ShortText, FourToOneCompositionAtTheQuickRejectBound)
{
	/* omega + psili + oxia + ypogegrammeni = U+1FA4: 256 code points in, 64 stored */
	const std::string decomposed = cp(0x03C9) + cp(0x0313) + cp(0x0301) + cp(0x0345);

	EXPECT_EQ(utf8::count_code_points(repeat(decomposed, 64)), 64 * max_canonical_decomposition);
	EXPECT_EQ(normalize_short_text("display_name", repeat(decomposed, 64)), repeat(cp(0x1FA4), 64));
	EXPECT_EQ(display_name_error(repeat(decomposed, 64) + "x"),
			  "display_name must be 1 to 64 characters after trimming (got 257)");
}

TEST(ShortText, TrimsUnicodeWhiteSpaceOnly)
{
	EXPECT_EQ(normalize_short_text("display_name", "  Bob \t"), "Bob");
	EXPECT_EQ(normalize_short_text("display_name", "\n\r Bob\n"), "Bob");
	EXPECT_EQ(normalize_short_text("display_name", cp(0x3000) + "Bob" + cp(0x3000)), "Bob");
	EXPECT_EQ(normalize_short_text("display_name", cp(0x00A0) + "Bob" + cp(0x00A0)), "Bob");
	EXPECT_EQ(normalize_short_text("display_name", cp(0x2003) + cp(0x1680) + cp(0x202F) + "Bob" + cp(0x205F) + cp(0x0085)),
			  "Bob");
	/* inside the name, spaces are kept */
	EXPECT_EQ(normalize_short_text("display_name", "Bob" + cp(0x00A0) + "Smith" + cp(0x3000) + "Jr"),
			  "Bob" + cp(0x00A0) + "Smith" + cp(0x3000) + "Jr");
	/* zero-width space and BOM are not White_Space: not trimmed */
	EXPECT_EQ(normalize_short_text("display_name", cp(0x200B) + "Bob" + cp(0xFEFF)), cp(0x200B) + "Bob" + cp(0xFEFF));
	/* the limit applies after trimming */
	EXPECT_EQ(normalize_short_text("display_name", "   " + repeat(kCjk, 64) + cp(0x3000)), repeat(kCjk, 64));
}

TEST(ShortText, EmptyAfterTrimmingIsRejected)
{
	for (const std::string &blank : strings {std::string(), std::string("   "), cp(0x3000) + "\t" + cp(0x00A0)})
		EXPECT_EQ(display_name_error(blank), "display_name must be 1 to 64 characters after trimming (got 0)");
	EXPECT_EQ(error_of([] { return normalize_short_text("nickname", " "); }),
			  "nickname must be 1 to 64 characters after trimming (got 0)");
}

TEST(ShortText, RejectsLineBreaksInside)
{
	for (const char32_t c : {0x0Au, 0x0Bu, 0x0Cu, 0x0Du, 0x85u, 0x2028u, 0x2029u})
		EXPECT_EQ(display_name_error("a" + cp(c) + "b"), "display_name must not contain line breaks") << std::hex << c;
}

TEST(ShortText, RejectsEveryOtherControlCharacter)
{
	for (char32_t c = 0; c <= 0x9F; ++c)
	{
		if ((c >= 0x20 && c < 0x7F) || (c >= 0x0A && c <= 0x0D) || c == 0x85)
			continue;
		EXPECT_EQ(display_name_error("a" + cp(c) + "b"), "display_name must not contain control characters")
			<< std::hex << c;
	}
	EXPECT_EQ(display_name_error(std::string("a\0b", 3)), "display_name must not contain control characters");
}

TEST(ShortText, RejectsEveryBidiOverrideAndIsolate)
{
	for (const char32_t c : {0x202Au, 0x202Bu, 0x202Cu, 0x202Du, 0x202Eu, 0x2066u, 0x2067u, 0x2068u, 0x2069u})
	{
		EXPECT_EQ(display_name_error("a" + cp(c) + "b"), "display_name must not contain bidirectional control characters")
			<< std::hex << c;
		EXPECT_EQ(error_of([&] { return normalize_short_text("nickname", cp(c) + "b"); }),
				  "nickname must not contain bidirectional control characters");
	}
	/* marks outside those ranges are not overrides or isolates */
	for (const char32_t c : {0x200Eu, 0x200Fu, 0x061Cu, 0x2065u, 0x206Au})
		EXPECT_EQ(display_name_error("a" + cp(c) + "b"), kAccepted) << std::hex << c;
}

TEST(ShortText, RejectsANameOfOnlyInvisibleCharacters)
{
	const std::string rule = "must contain a visible character, not only zero-width or other invisible ones";

	/* zero-width space, ZWNJ, ZWJ, word joiner, BOM, variation selector 16, Hangul filler */
	for (const char32_t c : {0x200Bu, 0x200Cu, 0x200Du, 0x2060u, 0xFEFFu, 0xFE0Fu, 0x3164u})
	{
		EXPECT_EQ(display_name_error(cp(c)), "display_name " + rule) << std::hex << c;
		EXPECT_EQ(display_name_error(" " + cp(c) + cp(c) + " "), "display_name " + rule) << std::hex << c;
		EXPECT_EQ(error_of([&] { return normalize_short_text("nickname", cp(c)); }), "nickname " + rule);
	}
	/* inside a visible name they are kept: ZWJ emoji sequences, ZWNJ in Persian */
	const std::string family = cp(0x1F468) + cp(0x200D) + cp(0x1F469) + cp(0x200D) + cp(0x1F467);
	EXPECT_EQ(normalize_short_text("display_name", family), family);
	const std::string persian = cp(0x0645) + cp(0x06CC) + cp(0x200C) + cp(0x062E);
	EXPECT_EQ(normalize_short_text("display_name", persian), persian);
}

TEST(ShortText, RejectsInvalidUtf8)
{
	for (const char *bad : kBadUtf8)
	{
		EXPECT_EQ(display_name_error(std::string("Bob") + bad), "display_name must be valid UTF-8");
		EXPECT_EQ(display_name_error(bad + std::string("Bob")), "display_name must be valid UTF-8");
	}
}

TEST(ShortText, HugeInputIsRejectedBeforeNormalising)
{
	EXPECT_EQ(display_name_error(std::string(1 << 20, 'x')),
			  "display_name must be 1 to 64 characters after trimming (got 1048576)");
	/* but surrounding white space of any length is trimmed first */
	EXPECT_EQ(normalize_short_text("display_name", std::string(1 << 20, ' ') + "Bob"), "Bob");
}

/* ---- bio and reason ---- */

TEST(LongText, ZeroToFiveHundredCodePoints)
{
	EXPECT_EQ(normalize_long_text("bio", ""), "");
	EXPECT_EQ(normalize_long_text("bio", repeat(kCjk, 500)), repeat(kCjk, 500));
	EXPECT_EQ(bio_error(repeat(kCjk, 501)), "bio must be at most 500 characters (got 501)");
	EXPECT_EQ(normalize_long_text("bio", repeat(kEmoji, 500)), repeat(kEmoji, 500));
	EXPECT_EQ(error_of([&] { return normalize_long_text("reason", repeat("a", 501)); }),
			  "reason must be at most 500 characters (got 501)");
	EXPECT_EQ(bio_error(std::string(10000, 'a')), "bio must be at most 500 characters (got 10000)");
}

TEST(LongText, NfcButNotTrimmed)
{
	EXPECT_EQ(normalize_long_text("bio", " Cafe\xCC\x81 "), " Caf" + kEAcuteComposed + " ");
	EXPECT_EQ(normalize_long_text("bio", repeat(kEAcuteDecomposed, 500)), repeat(kEAcuteComposed, 500));
	EXPECT_EQ(bio_error(repeat(kEAcuteDecomposed, 501)), "bio must be at most 500 characters (got 501)");
}

TEST(LongText, LineFeedIsTheOnlyControlCharacterAllowed)
{
	EXPECT_EQ(normalize_long_text("bio", "line one\nline two\n\n"), "line one\nline two\n\n");
	for (char32_t c = 0; c <= 0x9F; ++c)
	{
		if ((c >= 0x20 && c < 0x7F) || c == 0x0A)
			continue;
		EXPECT_EQ(bio_error("a" + cp(c) + "b"), "bio must not contain control characters") << std::hex << c;
	}
	EXPECT_EQ(bio_error("one\r\ntwo"), "bio must not contain control characters");
	/* U+2028 is not a control character: allowed in bio (payloads escape it) */
	EXPECT_EQ(bio_error("a" + cp(0x2028) + "b"), kAccepted);
}

TEST(LongText, RejectsBidiControlsAndInvalidUtf8)
{
	for (const char32_t c : {0x202Au, 0x202Bu, 0x202Cu, 0x202Du, 0x202Eu, 0x2066u, 0x2067u, 0x2068u, 0x2069u})
	{
		EXPECT_EQ(bio_error("x" + cp(c)), "bio must not contain bidirectional control characters");
		EXPECT_EQ(error_of([&] { return normalize_long_text("reason", cp(c)); }),
				  "reason must not contain bidirectional control characters");
	}
	for (const char *bad : kBadUtf8)
		EXPECT_EQ(bio_error(std::string("x\n") + bad), "bio must be valid UTF-8");
}

/* ---- avatar_url ---- */

TEST(AvatarUrl, AcceptsHttpsUrlsUnchanged)
{
	for (const std::string &good : strings {
			"https://example.com",
			"https://example.com/",
			"HTTPS://EXAMPLE.COM/A.png",
			"hTTpS://x",
			"https://cdn.example.com/a/b.png?size=64&v=2#frag",
			"https://example.com?x",
			"https://example.com#x",
			"https://example.com/@user",
			"https://127.0.0.1/x",
			"https://my-cdn.example/x",
			"https://example.com:443/p",
			"https://example.com:1",
			"https://example.com:65535/",
			"https://[::1]/a",
			"https://[2001:db8::1]:8443/x",
			"https://[::ffff:192.0.2.1]/",
			"https://example.com/caf" + kEAcuteDecomposed,	/* stored as given, not NFC */
		})
		EXPECT_EQ(normalize_avatar_url(good), good);
}

TEST(AvatarUrl, MustBeAbsoluteHttpsWithAHost)
{
	const std::string expected = "avatar_url must be an absolute https:// URL with a host";

	for (const std::string &bad : strings {"", "http://example.com", "ftp://example.com", "https:example.com",
			"https:/example.com", "//example.com", "example.com", "https://", "https:///x",
			"https://:443/x", "https://?q", "https://#f", "httpss://example.com", "xhttps://example.com"})
		EXPECT_EQ(url_error(bad), expected) << bad;
}

TEST(AvatarUrl, RejectsUserinfo)
{
	const std::string expected = "avatar_url must not contain user information (@) before the host";

	for (const std::string &bad : strings {"https://user@example.com/", "https://user:pw@example.com",
			"https://@example.com", "https://example.com@evil.example",
			"https://good.example\\@evil.example/"})
		EXPECT_EQ(url_error(bad), expected) << bad;
}

TEST(AvatarUrl, RejectsBadHosts)
{
	const std::string expected = "avatar_url must have a valid host name or bracketed IPv6 address";

	for (const std::string &bad : strings {"https://.example.com", "https://example.com.", "https://exa_mple.com",
			"https://ex%41mple.com", "https://b" + std::string("\xC3\xBC") + "cher.de", "https://[::1",
			"https://[nothex]", "https://[]", "https://[1.2.3.4]", "https://[::1%25eth0]/",
			"https://evil.example\\good/"})
		EXPECT_EQ(url_error(bad), expected) << bad;
}

TEST(AvatarUrl, PortIsOneToFiveDigits)
{
	const std::string expected = "avatar_url must have a port of 1 to 5 digits, at most 65535";

	for (const std::string &bad : strings {"https://example.com:", "https://example.com:/x", "https://example.com:123456",
			"https://example.com:65536", "https://example.com:abc", "https://example.com:80:80",
			"https://[::1]x", "https://[::1]:"})
		EXPECT_EQ(url_error(bad), expected) << bad;
}

TEST(AvatarUrl, NoWhiteSpaceOrControlCharacters)
{
	for (const std::string &bad : strings {"https://example.com/a b", " https://example.com", "https://example.com/ ",
			"https://example.com/\t", "https://example.com/\n", "https://example.com/" + cp(0x00A0),
			"https://example.com/" + cp(0x3000), "https://example.com/" + cp(0x2028)})
		EXPECT_EQ(url_error(bad), "avatar_url must not contain white space") << bad;
	for (const std::string &bad : strings {std::string("https://example.com/\0", 21), std::string("https://example.com/\x7F"),
			"https://example.com/" + cp(0x80), "https://example.com/" + cp(0x9F)})
		EXPECT_EQ(url_error(bad), "avatar_url must not contain control characters");
}

TEST(AvatarUrl, AtMost2048CodePoints)
{
	const std::string prefix = "https://example.com/";

	EXPECT_EQ(url_error(prefix + std::string(2048 - prefix.size(), 'a')), kAccepted);
	EXPECT_EQ(url_error(prefix + std::string(2049 - prefix.size(), 'a')),
			  "avatar_url must be at most 2048 characters (got 2049)");
	EXPECT_EQ(url_error(prefix + repeat(kEmoji, 2048 - prefix.size())), kAccepted);
	EXPECT_EQ(url_error(prefix + repeat(kEmoji, 2049 - prefix.size())),
			  "avatar_url must be at most 2048 characters (got 2049)");
}

TEST(AvatarUrl, RejectsInvalidUtf8)
{
	for (const char *bad : kBadUtf8)
		EXPECT_EQ(url_error(std::string("https://example.com/") + bad), "avatar_url must be valid UTF-8");
}

/* ---- normalisation itself ---- */

TEST(Nfc, IsIdempotentAndKeepsNfcInputAsIs)
{
	for (const std::string &s : strings {std::string(), std::string("plain"), kEAcuteDecomposed, repeat(kCjk, 3),
			cp(0x0958) /* composition exclusion: decomposes */, cp(0x212B) /* angstrom sign */})
	{
		const std::string once = to_nfc(s);

		EXPECT_EQ(to_nfc(once), once);
	}
	EXPECT_EQ(to_nfc(cp(0x212B)), cp(0x00C5));
	EXPECT_EQ(to_nfc(cp(0x0958)), cp(0x0915) + cp(0x093C));
}

/* The quick reject in text_rules.cpp relies on this bound holding for the linked ICU. */
TEST(Nfc, NoCanonicalDecompositionIsLongerThanTheBound)
{
	UErrorCode	status = U_ZERO_ERROR;
	const icu::Normalizer2 *nfd = icu::Normalizer2::getNFDInstance(status);

	ASSERT_TRUE(U_SUCCESS(status));

	int32_t		longest = 0;
	icu::UnicodeString decomposition;

	for (UChar32 c = 0; c <= 0x10FFFF; ++c)
		if (nfd->getDecomposition(c, decomposition))
			longest = std::max(longest, decomposition.countChar32());
	EXPECT_EQ(longest, static_cast<int32_t>(max_canonical_decomposition));
}
