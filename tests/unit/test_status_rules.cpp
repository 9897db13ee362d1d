/*
 * The custom status rules (status_text through the core API, status_emoji)
 * and the traceparent syntax, at their limits.
 */
#include "core_api.h"
#include "status_rules.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace realchat;

namespace
{

/* rp_normalize_field's verdict: the stored value, or "!" + the message. */
std::string
normalize(rp_field field, const std::string &in)
{
	char		out[RP_MAX_FIELD_BYTES + 1];
	rp_error	err;
	size_t		n = rp_normalize_field(field, in.data(), in.size(), out, sizeof(out), &err);

	if (n == RP_FAILED)
		return "!" + std::string(err.message);
	return std::string(out, n);
}

bool
rejected(rp_field field, const std::string &in, const std::string &says)
{
	std::string r = normalize(field, in);

	return r.size() > 1 && r[0] == '!' && r.find(says) != std::string::npos;
}

std::string
repeat(const std::string &s, int n)
{
	std::string out;

	for (int i = 0; i < n; i++)
		out += s;
	return out;
}

}								/* namespace */

TEST(StatusText, OneToHundredCharactersTrimmedAndNfc)
{
	EXPECT_EQ(normalize(RP_FIELD_STATUS_TEXT, "  In a meeting  "), "In a meeting");
	EXPECT_EQ(normalize(RP_FIELD_STATUS_TEXT, repeat("é", 100)), repeat("é", 100));
	EXPECT_EQ(normalize(RP_FIELD_STATUS_TEXT, "e\xCC\x81"), "\xC3\xA9");	/* e + combining acute -> é */
	EXPECT_TRUE(rejected(RP_FIELD_STATUS_TEXT, repeat("é", 101), "status_text must be 1 to 100 characters"));
	EXPECT_TRUE(rejected(RP_FIELD_STATUS_TEXT, "   ", "status_text must be 1 to 100"));
}

TEST(StatusText, DisplayNameCharacterRules)
{
	EXPECT_TRUE(rejected(RP_FIELD_STATUS_TEXT, "away\x01", "status_text must not contain control characters"));
	EXPECT_TRUE(rejected(RP_FIELD_STATUS_TEXT, "two\nlines", "status_text must not contain line breaks"));
	EXPECT_TRUE(rejected(RP_FIELD_STATUS_TEXT, "a\xE2\x80\xAE" "b", "status_text must not contain bidirectional"));
	EXPECT_TRUE(rejected(RP_FIELD_STATUS_TEXT, "\xE2\x80\x8B", "status_text must contain a visible character"));
	EXPECT_TRUE(rejected(RP_FIELD_STATUS_TEXT, "\xFF", "status_text must be valid UTF-8"));
}

TEST(StatusEmoji, OneClusterWithAPictograph)
{
	EXPECT_EQ(check_status_emoji("\xF0\x9F\x8E\x89"), "\xF0\x9F\x8E\x89");	/* 🎉 */
	/* ZWJ family: one cluster of several code points */
	const std::string family = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";

	EXPECT_EQ(check_status_emoji(family), family);
	/* a flag: two regional indicators */
	EXPECT_EQ(check_status_emoji("\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"), "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7");
	/* a single regional indicator */
	EXPECT_EQ(check_status_emoji("\xF0\x9F\x87\xAB"), "\xF0\x9F\x87\xAB");
	/* thumbs up with a skin tone modifier */
	EXPECT_EQ(check_status_emoji("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"), "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD");
	/* heart with variation selector 16 */
	EXPECT_EQ(check_status_emoji("\xE2\x9D\xA4\xEF\xB8\x8F"), "\xE2\x9D\xA4\xEF\xB8\x8F");
}

TEST(StatusEmoji, RejectsTextSeveralEmojiAndLongClusters)
{
	auto		says = [](const std::string &in, const std::string &what) {
		try
		{
			check_status_emoji(in);
		}
		catch (const invalid_value &e)
		{
			return std::string(e.what()).find(what) != std::string::npos;
		}
		return false;
	};

	EXPECT_TRUE(says("\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89", "status_emoji must be exactly one emoji"));
	EXPECT_TRUE(says("a", "status_emoji must be an emoji"));
	EXPECT_TRUE(says(":)", "status_emoji must be exactly one emoji"));
	EXPECT_TRUE(says("", "status_emoji must be one emoji"));
	EXPECT_TRUE(says("\xF0\x9F\x8E", "status_emoji must be valid UTF-8"));
	/* 🎉 followed by 8 ZWJ-joined pictographs: one cluster, 39 bytes */
	std::string long_cluster = "\xF0\x9F\x8E\x89";

	for (int i = 0; i < 5; i++)
		long_cluster += "\xE2\x80\x8D\xF0\x9F\x8E\x89";
	ASSERT_GT(long_cluster.size(), 32u);
	EXPECT_TRUE(says(long_cluster, "status_emoji must be at most 32 bytes"));
	/* the same through the C API */
	EXPECT_TRUE(rejected(RP_FIELD_STATUS_EMOJI, "xx", "status_emoji must be exactly one emoji"));
	EXPECT_EQ(normalize(RP_FIELD_STATUS_EMOJI, "\xF0\x9F\x8E\x89"), "\xF0\x9F\x8E\x89");
}

TEST(Traceparent, W3cSyntax)
{
	const std::string ok = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

	EXPECT_TRUE(rp_valid_traceparent(ok.data(), ok.size()));
	EXPECT_TRUE(is_valid_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra"));
	EXPECT_TRUE(is_valid_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
	EXPECT_FALSE(is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"));
	EXPECT_FALSE(is_valid_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
	EXPECT_FALSE(is_valid_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
	EXPECT_FALSE(is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
	EXPECT_FALSE(is_valid_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
	EXPECT_FALSE(is_valid_traceparent("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
	EXPECT_FALSE(is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0"));
	EXPECT_FALSE(is_valid_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00x"));
	EXPECT_FALSE(is_valid_traceparent(""));
	EXPECT_FALSE(rp_valid_traceparent(nullptr, 0));
}
