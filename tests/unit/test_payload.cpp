/*
 * The event payload: exact envelope, JSON escaping, timestamps, uuid text,
 * and a round trip through a real JSON parser.
 */
#include "payload.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace realchat;

namespace
{

using strings = std::vector<std::string>;

const char *const kEventId = "0f8fad5b-d9cb-469f-a165-70867728950e";
const char *const kUserId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

/* 2026-11-24T19:00:00.123456Z, the contract's example */
constexpr int64_t kExampleMicros = INT64_C(1795546800123456);
constexpr int64_t kMinMicros = INT64_C(-62167219200000000);	/* 0000-01-01T00:00:00Z */
constexpr int64_t kMaxMicros = INT64_C(253402300799999999);	/* 9999-12-31T23:59:59.999999Z */

/* s must outlive the value: it points into it */
rp_value
string_value(const char *name, const std::string &s)
{
	rp_value	v {};

	v.name = name;
	v.kind = RP_VALUE_STRING;
	v.str = s.data();
	v.len = s.size();
	return v;
}

rp_value
string_value(const char *name, const char *literal)
{
	rp_value	v {};

	v.name = name;
	v.kind = RP_VALUE_STRING;
	v.str = literal;
	v.len = std::strlen(literal);
	return v;
}

rp_event
event_with(const std::vector<rp_value> &data)
{
	rp_event	e {};

	e.event_id = kEventId;
	e.event_type = "ProfileUpdated";
	e.user_id = kUserId;
	e.version = 42;
	e.occurred_at_unix_micros = kExampleMicros;
	e.data = data.data();
	e.data_len = static_cast<int>(data.size());
	return e;
}

/* The JSON text of s alone, as written inside a payload. */
std::string
json_string(std::string_view s)
{
	bounded_writer sizer(nullptr, 0);

	write_json_string(sizer, s, "s");

	std::string out(sizer.size() + 1, '\0');
	bounded_writer w(out.data(), out.size());

	write_json_string(w, s, "s");
	out.resize(w.finish());
	return out;
}

std::string
error_of(const std::function<void()> &fn)
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

/* Independent oracle: the C library's calendar. */
std::string
gmtime_format(int64_t micros)
{
	int64_t		seconds = micros / 1000000;
	int64_t		fraction = micros % 1000000;

	if (fraction < 0)
	{
		fraction += 1000000;
		--seconds;
	}

	const time_t t = static_cast<time_t>(seconds);
	struct tm	tm;
	char		text[64];

	gmtime_r(&t, &tm);
	std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%06" PRId64 "Z",
				  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction);
	return text;
}

}								/* namespace */

TEST(Payload, EnvelopeIsExactWithEveryValueKind)
{
	const char *const changed[] = {"display_name", "bio"};
	std::vector<rp_value> data(7);

	data[0] = string_value("display_name", "Ada");
	data[1].name = "avatar_url";
	data[1].kind = RP_VALUE_NULL;
	data[2].name = "is_favorite";
	data[2].kind = RP_VALUE_BOOL;
	data[2].boolean = true;
	data[3].name = "count";
	data[3].kind = RP_VALUE_INT;
	data[3].integer = -7;
	data[4].name = "last_seen";
	data[4].kind = RP_VALUE_TIMESTAMP;
	data[4].unix_micros = 0;
	data[5].name = "changed";
	data[5].kind = RP_VALUE_STRING_LIST;
	data[5].list = changed;
	data[5].list_len = 2;
	data[6].name = "empty";
	data[6].kind = RP_VALUE_STRING_LIST;

	EXPECT_EQ(build_payload(event_with(data)),
			  "{\"event_id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"event_type\":\"ProfileUpdated\","
			  "\"user_id\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\",\"version\":42,"
			  "\"occurred_at\":\"2026-11-24T19:00:00.123456Z\",\"data\":{\"display_name\":\"Ada\","
			  "\"avatar_url\":null,\"is_favorite\":true,\"count\":-7,\"last_seen\":\"1970-01-01T00:00:00.000000Z\","
			  "\"changed\":[\"display_name\",\"bio\"],\"empty\":[]}}");
}

TEST(Payload, EmptyDataAndExtremeIntegers)
{
	std::vector<rp_value> none;
	rp_event	e = event_with(none);

	e.event_type = "ProfileDeleted";
	e.version = std::numeric_limits<int64_t>::max();
	EXPECT_EQ(nlohmann::json::parse(build_payload(e))["data"], nlohmann::json::object());
	EXPECT_NE(build_payload(e).find("\"version\":9223372036854775807,"), std::string::npos);

	std::vector<rp_value> data(2);

	data[0].name = "min";
	data[0].kind = RP_VALUE_INT;
	data[0].integer = std::numeric_limits<int64_t>::min();
	data[1].name = "false";
	data[1].kind = RP_VALUE_BOOL;
	EXPECT_NE(build_payload(event_with(data)).find("{\"min\":-9223372036854775808,\"false\":false}"),
			  std::string::npos);
}

TEST(Payload, KeepsMemberOrderAsGiven)
{
	std::vector<rp_value> data = {string_value("zeta", "1"), string_value("alpha", "2"), string_value("mid", "3")};
	const auto	parsed = nlohmann::ordered_json::parse(build_payload(event_with(data)));

	std::vector<std::string> top;
	for (const auto &item : parsed.items())
		top.push_back(item.key());
	EXPECT_EQ(top, (std::vector<std::string> {"event_id", "event_type", "user_id", "version", "occurred_at", "data"}));

	std::vector<std::string> inner;
	for (const auto &item : parsed["data"].items())
		inner.push_back(item.key());
	EXPECT_EQ(inner, (std::vector<std::string> {"zeta", "alpha", "mid"}));
}

TEST(JsonString, EscapesEveryC0ControlCharacter)
{
	const char *const short_forms[] = {"\\b", "\\t", "\\n", nullptr, "\\f", "\\r"};	/* 0x08..0x0D */

	for (int c = 0; c < 0x20; ++c)
	{
		char		expected[16];
		const char *short_form = (c >= 0x08 && c <= 0x0D) ? short_forms[c - 0x08] : nullptr;

		if (short_form != nullptr)
			std::snprintf(expected, sizeof(expected), "\"%s\"", short_form);
		else
			std::snprintf(expected, sizeof(expected), "\"\\u%04x\"", c);
		EXPECT_EQ(json_string(std::string(1, static_cast<char>(c))), expected) << c;
	}
}

TEST(JsonString, EscapesQuotesBackslashDelC1AndLineSeparators)
{
	EXPECT_EQ(json_string("say \"hi\""), "\"say \\\"hi\\\"\"");
	EXPECT_EQ(json_string("a\\b"), "\"a\\\\b\"");
	EXPECT_EQ(json_string("\x7F"), "\"\\u007f\"");
	EXPECT_EQ(json_string("\xC2\x80"), "\"\\u0080\"");
	EXPECT_EQ(json_string("\xC2\x85"), "\"\\u0085\"");
	EXPECT_EQ(json_string("\xC2\x9F"), "\"\\u009f\"");
	EXPECT_EQ(json_string("a\xE2\x80\xA8" "b\xE2\x80\xA9"), "\"a\\u2028b\\u2029\"");
	EXPECT_EQ(json_string(std::string("nul\0end", 7)), "\"nul\\u0000end\"");
}

TEST(JsonString, KeepsOtherTextAsIs)
{
	EXPECT_EQ(json_string(""), "\"\"");
	EXPECT_EQ(json_string("a/b <tag> & 'x'"), "\"a/b <tag> & 'x'\"");
	/* NBSP (just past C1), CJK, emoji, U+2027 and U+202A stay UTF-8 */
	const std::string text = "\xC2\xA0\xE6\xBC\xA2\xF0\x9F\x98\x80\xE2\x80\xA7\xE2\x80\xAA";

	EXPECT_EQ(json_string(text), "\"" + text + "\"");
}

TEST(JsonString, RejectsInvalidUtf8)
{
	for (const std::string &bad : strings {"\xFF", "a\xC0\xAF", "\xED\xA0\x80", "\xE6\xBC", "\xF4\x90\x80\x80", "ok\x80"})
		EXPECT_EQ(error_of([&] { json_string(bad); }), "s must be valid UTF-8");
}

TEST(JsonString, RoundTripsEveryAsciiAndSomeUnicodeThroughAParser)
{
	std::string all;

	for (int c = 0; c < 0x80; ++c)
		all += static_cast<char>(c);
	all += "\xC2\x80\xC2\x9F\xC2\xA0\xE2\x80\xA8\xE2\x80\xA9\xE6\xBC\xA2\xF0\x9F\x98\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF";

	std::vector<rp_value> data = {string_value("s", all)};
	const std::string payload = build_payload(event_with(data));

	/* nothing below 0x20 or DEL is left raw in the output */
	for (const char c : payload)
		EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
	EXPECT_EQ(nlohmann::json::parse(payload)["data"]["s"].get<std::string>(), all);
}

TEST(Payload, RejectsInvalidUtf8AnywhereNamingWhere)
{
	const std::string bad = "ok\xFF";
	const char *const list[] = {"fine", "bad\xC3"};
	std::vector<rp_value> data = {string_value("bio", bad)};

	EXPECT_EQ(error_of([&] { build_payload(event_with(data)); }), "data.bio must be valid UTF-8");

	data[0] = string_value("changed", "");
	data[0].kind = RP_VALUE_STRING_LIST;
	data[0].list = list;
	data[0].list_len = 2;
	EXPECT_EQ(error_of([&] { build_payload(event_with(data)); }), "data.changed[1] must be valid UTF-8");

	data[0] = string_value("b\xFF" "d", "x");
	EXPECT_EQ(error_of([&] { build_payload(event_with(data)); }), "data member 0 name must be valid UTF-8");

	std::vector<rp_value> none;
	rp_event	e = event_with(none);

	e.event_type = "Profile\xFF";
	EXPECT_EQ(error_of([&] { build_payload(e); }), "event_type must be valid UTF-8");
}

TEST(Payload, RejectsMalformedEvents)
{
	std::vector<rp_value> none;
	rp_event	e = event_with(none);

	e.event_id = "0F8FAD5B-D9CB-469F-A165-70867728950E";
	EXPECT_EQ(error_of([&] { build_payload(e); }), "event_id must be a canonical lower-case uuid");
	e = event_with(none);
	e.user_id = nullptr;
	EXPECT_EQ(error_of([&] { build_payload(e); }), "user_id must be a canonical lower-case uuid");
	e = event_with(none);
	e.event_type = "";
	EXPECT_EQ(error_of([&] { build_payload(e); }), "event_type must not be empty");
	e = event_with(none);
	e.data_len = 1;
	EXPECT_EQ(error_of([&] { build_payload(e); }), "data must point to data_len members");
	e = event_with(none);
	e.occurred_at_unix_micros = std::numeric_limits<int64_t>::max();
	EXPECT_EQ(error_of([&] { build_payload(e); }), "occurred_at is out of range (years 0000 to 9999 only)");

	std::vector<rp_value> data(1);

	data[0].kind = RP_VALUE_NULL;
	EXPECT_EQ(error_of([&] { build_payload(event_with(data)); }), "data member 0 must have a name");
	data[0].name = "x";
	data[0].kind = static_cast<rp_value_kind>(6);	/* past the enumerators, still in the enum's range */
	EXPECT_EQ(error_of([&] { build_payload(event_with(data)); }), "data.x has an unknown value kind 6");
	data[0].kind = RP_VALUE_STRING;
	data[0].len = 3;
	EXPECT_EQ(error_of([&] { build_payload(event_with(data)); }), "data.x must point to len bytes");
	data[0].len = 0;
	EXPECT_NE(build_payload(event_with(data)).find("\"x\":\"\""), std::string::npos);
	data[0].kind = RP_VALUE_STRING_LIST;
	data[0].list_len = -1;
	EXPECT_EQ(error_of([&] { build_payload(event_with(data)); }), "data.x must point to list_len strings");
	const char *const holes[] = {"a", nullptr};
	data[0].list = holes;
	data[0].list_len = 2;
	EXPECT_EQ(error_of([&] { build_payload(event_with(data)); }), "data.x[1] must not be a null pointer");
}

TEST(Payload, WriterSizesAndFillsLikeSnprintf)
{
	std::vector<rp_value> data = {string_value("bio", "hello\nworld")};
	const rp_event e = event_with(data);
	const size_t needed = write_payload(e, nullptr, 0);
	const std::string full = build_payload(e);

	ASSERT_EQ(needed, full.size());

	std::vector<char> buf(needed + 2, 'X');

	/* too small: returns the size, writes only an empty string */
	EXPECT_EQ(write_payload(e, buf.data(), needed - 1), needed);
	EXPECT_EQ(buf[0], '\0');
	EXPECT_EQ(buf[needed - 1], 'X');

	/* exact: every byte, no NUL past cap */
	std::fill(buf.begin(), buf.end(), 'X');
	EXPECT_EQ(write_payload(e, buf.data(), needed), needed);
	EXPECT_EQ(std::string(buf.data(), needed), full);
	EXPECT_EQ(buf[needed], 'X');

	/* one more: a C string */
	EXPECT_EQ(write_payload(e, buf.data(), needed + 1), needed);
	EXPECT_STREQ(buf.data(), full.c_str());
	EXPECT_EQ(buf[needed + 1], 'X');
}

TEST(Timestamp, KnownInstants)
{
	EXPECT_EQ(format_timestamp(0, "t"), "1970-01-01T00:00:00.000000Z");
	EXPECT_EQ(format_timestamp(kExampleMicros, "t"), "2026-11-24T19:00:00.123456Z");
	EXPECT_EQ(format_timestamp(1, "t"), "1970-01-01T00:00:00.000001Z");
	EXPECT_EQ(format_timestamp(-1, "t"), "1969-12-31T23:59:59.999999Z");
	EXPECT_EQ(format_timestamp(-1000000, "t"), "1969-12-31T23:59:59.000000Z");
	EXPECT_EQ(format_timestamp(-86400000000, "t"), "1969-12-31T00:00:00.000000Z");
	EXPECT_EQ(format_timestamp(INT64_C(951782400000000), "t"), "2000-02-29T00:00:00.000000Z");	/* 400-year leap */
	EXPECT_EQ(format_timestamp(INT64_C(1709210096789012), "t"), "2024-02-29T12:34:56.789012Z");
	EXPECT_EQ(format_timestamp(INT64_C(1709251199999999), "t"), "2024-02-29T23:59:59.999999Z");
	EXPECT_EQ(format_timestamp(INT64_C(1709251200000000), "t"), "2024-03-01T00:00:00.000000Z");
	EXPECT_EQ(format_timestamp(INT64_C(-2203891200000000), "t"), "1900-03-01T00:00:00.000000Z");	/* no Feb 29 */
	EXPECT_EQ(format_timestamp(INT64_C(4107542400000000), "t"), "2100-03-01T00:00:00.000000Z");
	EXPECT_EQ(format_timestamp(INT64_C(-2208988800000000), "t"), "1900-01-01T00:00:00.000000Z");
	/* PostgreSQL's epoch, 2000-01-01 */
	EXPECT_EQ(format_timestamp(INT64_C(946684800000000), "t"), "2000-01-01T00:00:00.000000Z");
}

TEST(Timestamp, YearsZeroToNineThousandNineHundredNinetyNine)
{
	EXPECT_EQ(format_timestamp(kMinMicros, "t"), "0000-01-01T00:00:00.000000Z");
	EXPECT_EQ(format_timestamp(kMaxMicros, "t"), "9999-12-31T23:59:59.999999Z");
	/* year 0 is a leap year in the proleptic Gregorian calendar */
	EXPECT_EQ(format_timestamp(kMinMicros + INT64_C(59) * 86400000000, "t"), "0000-02-29T00:00:00.000000Z");

	const std::string expected = "last_seen is out of range (years 0000 to 9999 only)";

	for (const int64_t v : {kMinMicros - 1, kMaxMicros + 1, std::numeric_limits<int64_t>::min(),
			std::numeric_limits<int64_t>::max()})
		EXPECT_EQ(error_of([&] { format_timestamp(v, "last_seen"); }), expected) << v;
}

TEST(Timestamp, AgreesWithTheCLibraryAcrossTheRange)
{
	std::mt19937_64 random(20261124);
	std::uniform_int_distribution<int64_t> anywhere(kMinMicros, kMaxMicros);
	std::uniform_int_distribution<int64_t> near_epoch(INT64_C(-5000000000000000), INT64_C(5000000000000000));

	for (int i = 0; i < 20000; ++i)
	{
		const int64_t a = anywhere(random);
		const int64_t b = near_epoch(random);

		ASSERT_EQ(format_timestamp(a, "t"), gmtime_format(a)) << a;
		ASSERT_EQ(format_timestamp(b, "t"), gmtime_format(b)) << b;
	}
}

TEST(Uuid, FormatsLowerCaseCanonical)
{
	const uint8_t bytes[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
	char		out[37];

	std::memset(out, 'X', sizeof(out));
	format_uuid(bytes, out);
	EXPECT_STREQ(out, "00112233-4455-6677-8899-aabbccddeeff");
	EXPECT_TRUE(is_canonical_uuid(out));
}

TEST(Uuid, MakeV4SetsVersionAndVariantOnly)
{
	uint8_t		ones[16];
	uint8_t		zeros[16] = {};
	char		out[37];

	std::memset(ones, 0xFF, sizeof(ones));
	make_uuid_v4(ones);
	format_uuid(ones, out);
	EXPECT_STREQ(out, "ffffffff-ffff-4fff-bfff-ffffffffffff");
	make_uuid_v4(zeros);
	format_uuid(zeros, out);
	EXPECT_STREQ(out, "00000000-0000-4000-8000-000000000000");
}

TEST(Uuid, CanonicalCheck)
{
	EXPECT_TRUE(is_canonical_uuid(kEventId));
	for (const char *bad : {"", "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5b-d9cb-469f-a165-70867728950e0",
			"0F8FAD5B-d9cb-469f-a165-70867728950e", "0f8fad5bd9cb-469f-a165-70867728950e-",
			"{0f8fad5b-d9cb-469f-a165-70867728950}", "0f8fad5b-d9cb-469f-a165-70867728950g"})
		EXPECT_FALSE(is_canonical_uuid(bad)) << bad;
}
