/*
 * The C facade as the PostgreSQL glue uses it: buffer sizing and retries,
 * error reporting, and that nothing escapes as an exception.
 */
#include "core_api.h"
#include "utf8.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace
{

const rp_field kAllFields[] = {RP_FIELD_USERNAME, RP_FIELD_DISPLAY_NAME, RP_FIELD_NICKNAME,
	RP_FIELD_BIO, RP_FIELD_REASON, RP_FIELD_AVATAR_URL};

/* A value of each field that is valid, and one that breaks its rules. */
struct field_case
{
	rp_field	field;
	std::string valid;
	std::string stored;
	std::string invalid;
	std::string message;
};

std::vector<field_case>
field_cases()
{
	return {
		{RP_FIELD_USERNAME, "Ada_1815", "Ada_1815", "1ada", "username must start with a letter and contain only ASCII letters, digits and _"},
		{RP_FIELD_DISPLAY_NAME, "  Ada Lovelace\xE3\x80\x80", "Ada Lovelace", "Ada\nLovelace", "display_name must not contain line breaks"},
		{RP_FIELD_NICKNAME, " Cafe\xCC\x81 ", "Caf\xC3\xA9", "", "nickname must be 1 to 64 characters after trimming (got 0)"},
		{RP_FIELD_BIO, "Cafe\xCC\x81\nand tea", "Caf\xC3\xA9\nand tea", "a\xE2\x80\xAE" "b", "bio must not contain bidirectional control characters"},
		{RP_FIELD_REASON, "spam", "spam", std::string(501, 'x'), "reason must be at most 500 characters (got 501)"},
		{RP_FIELD_AVATAR_URL, "https://cdn.example.com/a.png", "https://cdn.example.com/a.png", "http://cdn.example.com/a.png",
			"avatar_url must be an absolute https:// URL with a host"},
	};
}

/* What the glue does: guess a size, retry once with the size returned. */
std::string
normalize_with_retry(rp_field field, const std::string &in, size_t first_cap, rp_error *err)
{
	std::vector<char> buf(first_cap);
	size_t		needed = rp_normalize_field(field, in.data(), in.size(), buf.data(), buf.size(), err);

	if (needed == RP_FAILED)
		return "<failed>";
	if (needed > buf.size())
	{
		buf.resize(needed);
		EXPECT_EQ(rp_normalize_field(field, in.data(), in.size(), buf.data(), buf.size(), err), needed);
	}
	return std::string(buf.data(), needed);
}

rp_event
example_event(const rp_value *data, int data_len)
{
	rp_event	e {};

	e.event_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
	e.event_type = "ProfileCreated";
	e.user_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
	e.version = 1;
	e.occurred_at_unix_micros = INT64_C(1795546800123456);
	e.data = data;
	e.data_len = data_len;
	return e;
}

}								/* namespace */

TEST(FieldName, NamesEveryField)
{
	EXPECT_STREQ(rp_field_name(RP_FIELD_USERNAME), "username");
	EXPECT_STREQ(rp_field_name(RP_FIELD_DISPLAY_NAME), "display_name");
	EXPECT_STREQ(rp_field_name(RP_FIELD_NICKNAME), "nickname");
	EXPECT_STREQ(rp_field_name(RP_FIELD_BIO), "bio");
	EXPECT_STREQ(rp_field_name(RP_FIELD_REASON), "reason");
	EXPECT_STREQ(rp_field_name(RP_FIELD_AVATAR_URL), "avatar_url");
	EXPECT_STREQ(rp_field_name(RP_FIELD_STATUS_TEXT), "status_text");
	EXPECT_STREQ(rp_field_name(RP_FIELD_STATUS_EMOJI), "status_emoji");
}

TEST(NormalizeField, EachFieldAcceptsAndRejects)
{
	for (const field_case &c : field_cases())
	{
		rp_error	err;

		EXPECT_EQ(normalize_with_retry(c.field, c.valid, 64, &err), c.stored) << rp_field_name(c.field);

		std::memset(&err, 0x7F, sizeof(err));
		EXPECT_EQ(normalize_with_retry(c.field, c.invalid, 64, &err), "<failed>");
		EXPECT_STREQ(err.message, c.message.c_str());
		EXPECT_EQ(err.kind, RP_ERROR_INVALID_VALUE);
		/* the field's name comes first, as the glue shows it to users */
		EXPECT_EQ(std::string(err.message).rfind(std::string(rp_field_name(c.field)) + " ", 0), 0u);
	}
}

TEST(NormalizeField, SnprintfStyleBuffer)
{
	const std::string in = "  Ada Lovelace  ";
	const std::string stored = "Ada Lovelace";
	const size_t n = stored.size();
	char		buf[64];
	rp_error	err;

	/* length only */
	EXPECT_EQ(rp_normalize_field(RP_FIELD_DISPLAY_NAME, in.data(), in.size(), nullptr, 0, &err), n);

	/* too small: the needed length, an empty string, nothing past cap */
	std::memset(buf, 'X', sizeof(buf));
	EXPECT_EQ(rp_normalize_field(RP_FIELD_DISPLAY_NAME, in.data(), in.size(), buf, 5, &err), n);
	EXPECT_EQ(buf[0], '\0');
	EXPECT_EQ(buf[5], 'X');

	/* exactly the length: all bytes, no NUL written past them */
	std::memset(buf, 'X', sizeof(buf));
	EXPECT_EQ(rp_normalize_field(RP_FIELD_DISPLAY_NAME, in.data(), in.size(), buf, n, &err), n);
	EXPECT_EQ(std::string(buf, n), stored);
	EXPECT_EQ(buf[n], 'X');

	/* room for the NUL: a C string */
	EXPECT_EQ(rp_normalize_field(RP_FIELD_DISPLAY_NAME, in.data(), in.size(), buf, n + 1, &err), n);
	EXPECT_STREQ(buf, stored.c_str());

	/* the glue's retry, starting far too small */
	EXPECT_EQ(normalize_with_retry(RP_FIELD_DISPLAY_NAME, in, 1, &err), stored);
}

TEST(NormalizeField, FailureLeavesAnEmptyStringAndAcceptsNullErr)
{
	char		buf[16];
	const std::string bad = "bad\tname";

	std::memset(buf, 'X', sizeof(buf));
	EXPECT_EQ(rp_normalize_field(RP_FIELD_DISPLAY_NAME, bad.data(), bad.size(), buf, sizeof(buf), nullptr), RP_FAILED);
	EXPECT_EQ(buf[0], '\0');
}

TEST(NormalizeField, NullInput)
{
	rp_error	err;

	EXPECT_EQ(rp_normalize_field(RP_FIELD_BIO, nullptr, 0, nullptr, 0, &err), 0u);
	EXPECT_EQ(rp_normalize_field(RP_FIELD_DISPLAY_NAME, nullptr, 0, nullptr, 0, &err), RP_FAILED);
	EXPECT_STREQ(err.message, "display_name must be 1 to 64 characters after trimming (got 0)");
	EXPECT_EQ(rp_normalize_field(RP_FIELD_BIO, nullptr, 3, nullptr, 0, &err), RP_FAILED);
	EXPECT_STREQ(err.message, "bio must point to len bytes");
}


TEST(NormalizeField, InvalidUtf8IsRejectedForEveryField)
{
	const std::string bad = "abc\xC3(";

	for (const rp_field field : kAllFields)
	{
		rp_error	err;

		EXPECT_EQ(rp_normalize_field(field, bad.data(), bad.size(), nullptr, 0, &err), RP_FAILED);
		EXPECT_EQ(std::string(err.message), std::string(rp_field_name(field)) + " must be valid UTF-8");
		EXPECT_EQ(err.kind, RP_ERROR_INVALID_VALUE);
	}
}

TEST(NormalizeField, LongestAcceptedValuesFitTheDocumentedBound)
{
	std::string emoji64;
	std::string emoji500;
	std::string url = "https://a/";

	for (int i = 0; i < 64; ++i)
		emoji64 += "\xF0\x9F\x98\x80";
	for (int i = 0; i < 500; ++i)
		emoji500 += "\xF0\x9F\x98\x80";
	while (realchat::utf8::count_code_points(url) < 2048)
		url += "\xF0\x9F\x98\x80";

	const std::pair<rp_field, std::string> longest[] = {
		{RP_FIELD_USERNAME, "a" + std::string(31, 'b')},
		{RP_FIELD_DISPLAY_NAME, emoji64},
		{RP_FIELD_NICKNAME, emoji64},
		{RP_FIELD_BIO, emoji500},
		{RP_FIELD_REASON, emoji500},
		{RP_FIELD_AVATAR_URL, url},
	};

	for (const auto &[field, value] : longest)
	{
		rp_error	err;
		const size_t n = rp_normalize_field(field, value.data(), value.size(), nullptr, 0, &err);

		ASSERT_NE(n, RP_FAILED) << err.message;
		EXPECT_LE(n, static_cast<size_t>(RP_MAX_FIELD_BYTES)) << rp_field_name(field);
	}
}

TEST(BuildPayload, ParsesAndRetries)
{
	const std::string display_name = "Ada \"the first\" Lovelace\n";
	rp_value	data[2] {};

	data[0].name = "display_name";
	data[0].kind = RP_VALUE_STRING;
	data[0].str = display_name.data();
	data[0].len = display_name.size();
	data[1].name = "last_seen";
	data[1].kind = RP_VALUE_NULL;

	const rp_event e = example_event(data, 2);
	rp_error	err;
	std::vector<char> buf(16);
	size_t		needed = rp_build_payload(&e, buf.data(), buf.size(), &err);

	ASSERT_NE(needed, RP_FAILED);
	ASSERT_GT(needed, buf.size());
	EXPECT_EQ(buf[0], '\0');
	buf.resize(needed);
	ASSERT_EQ(rp_build_payload(&e, buf.data(), buf.size(), &err), needed);

	const auto	json = nlohmann::json::parse(std::string(buf.data(), needed));

	EXPECT_EQ(json["event_type"], "ProfileCreated");
	EXPECT_EQ(json["version"], 1);
	EXPECT_EQ(json["occurred_at"], "2026-11-24T19:00:00.123456Z");
	EXPECT_EQ(json["data"]["display_name"], display_name);
	EXPECT_TRUE(json["data"]["last_seen"].is_null());
}

TEST(BuildPayload, FailuresAreReportedNotThrown)
{
	const std::string bad = "\xFF";
	rp_value	data[1] {};
	char		buf[256];
	rp_error	err;

	data[0].name = "bio";
	data[0].kind = RP_VALUE_STRING;
	data[0].str = bad.data();
	data[0].len = bad.size();

	const rp_event e = example_event(data, 1);

	std::memset(buf, 'X', sizeof(buf));
	EXPECT_EQ(rp_build_payload(&e, buf, sizeof(buf), &err), RP_FAILED);
	EXPECT_STREQ(err.message, "data.bio must be valid UTF-8");
	EXPECT_EQ(err.kind, RP_ERROR_INVALID_VALUE);
	EXPECT_EQ(buf[0], '\0');	/* no half-written payload */

	EXPECT_EQ(rp_build_payload(nullptr, buf, sizeof(buf), &err), RP_FAILED);
	EXPECT_STREQ(err.message, "event must not be a null pointer");
	EXPECT_EQ(rp_build_payload(nullptr, nullptr, 0, nullptr), RP_FAILED);
}

TEST(BuildPayload, LongMessagesAreCutAtACharacterBoundary)
{
	/* a 300-byte member name of two-byte characters, in an out-of-range timestamp's message */
	std::string name;

	for (int i = 0; i < 150; ++i)
		name += "\xC3\xA9";

	rp_value	data[1] {};
	rp_error	err;

	data[0].name = name.c_str();
	data[0].kind = RP_VALUE_TIMESTAMP;
	data[0].unix_micros = INT64_MAX;

	const rp_event e = example_event(data, 1);

	ASSERT_EQ(rp_build_payload(&e, nullptr, 0, &err), RP_FAILED);

	const std::string message = err.message;

	EXPECT_LT(message.size(), sizeof(err.message));
	EXPECT_GE(message.size(), sizeof(err.message) - 4);
	EXPECT_EQ(message.rfind("data.\xC3\xA9", 0), 0u);
	EXPECT_EQ(realchat::utf8::find_invalid(message), std::string::npos);
}

TEST(Uuid, FormatAndV4ThroughTheCInterface)
{
	uint8_t		bytes[16];
	char		out[37];

	for (int i = 0; i < 16; ++i)
		bytes[i] = static_cast<uint8_t>(0x10 * i + i);
	rp_make_uuid_v4(bytes);
	rp_format_uuid(bytes, out);
	EXPECT_STREQ(out, "00112233-4455-4677-8899-aabbccddeeff");
}
