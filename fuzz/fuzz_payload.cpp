/*
 * Builds payloads from fuzzed events through the C facade. An event is
 * accepted exactly when every string is UTF-8 (as ICU judges it) and every
 * timestamp lies in years 0000..9999; an accepted payload must parse with
 * nlohmann, keep member order, and give back every value it was given.
 */
#include "core_api.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <nlohmann/json.hpp>
#include <unicode/ustring.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace
{

void
require(bool ok, const char *what)
{
	if (ok)
		return;
	std::fprintf(stderr, "invariant broken: %s\n", what);
	std::abort();
}

/* An oracle independent of the core's decoder. */
bool
is_utf8(std::string_view s)
{
	UErrorCode	status = U_ZERO_ERROR;
	int32_t		length = 0;

	u_strFromUTF8(nullptr, 0, &length, s.data(), static_cast<int32_t>(s.size()), &status);
	return status != U_INVALID_CHAR_FOUND && status != U_ILLEGAL_ARGUMENT_ERROR;
}

/* Howard Hinnant's days_from_civil: the inverse of what the core uses. */
int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;

	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const int64_t yoe = y - era * 400;
	const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

constexpr int64_t micros_per_day = INT64_C(86400000000);
const int64_t min_micros = days_from_civil(0, 1, 1) * micros_per_day;
const int64_t max_micros = days_from_civil(9999, 12, 31) * micros_per_day + micros_per_day - 1;

/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" back to micros since 1970. */
int64_t
parse_timestamp(const std::string &text)
{
	require(text.size() == 27 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' &&
			text[16] == ':' && text[19] == '.' && text[26] == 'Z', "timestamp shape");

	const auto	number = [&](size_t at, size_t width) {
		int64_t		v = 0;

		for (size_t i = at; i < at + width; ++i)
		{
			require(text[i] >= '0' && text[i] <= '9', "timestamp digit");
			v = v * 10 + (text[i] - '0');
		}
		return v;
	};

	return days_from_civil(number(0, 4), number(5, 2), number(8, 2)) * micros_per_day +
		((number(11, 2) * 60 + number(14, 2)) * 60 + number(17, 2)) * 1000000 + number(20, 6);
}

int64_t
consume_timestamp(FuzzedDataProvider &fdp)
{
	/* mostly near or inside the valid range, sometimes anything (PostgreSQL's infinity) */
	if (fdp.ConsumeBool())
		return fdp.ConsumeIntegral<int64_t>();
	return fdp.ConsumeIntegralInRange<int64_t>(min_micros - 2, max_micros + 2);
}

bool
in_range(int64_t micros)
{
	return micros >= min_micros && micros <= max_micros;
}

/* What the event's data holds, kept alive for the pointers in rp_value. */
struct member
{
	std::string name;
	rp_value_kind kind;
	std::string text;
	bool		boolean = false;
	int64_t		number = 0;
	std::vector<std::string> list;
	std::vector<const char *> list_pointers;
};

void
check_raw_bytes(const std::string &payload)
{
	for (size_t i = 0; i < payload.size(); ++i)
	{
		const unsigned char c = static_cast<unsigned char>(payload[i]);

		require(c >= 0x20 && c != 0x7F, "no raw C0 control or DEL");
		if (c == 0xC2 && i + 1 < payload.size())
			require(static_cast<unsigned char>(payload[i + 1]) >= 0xA0, "no raw C1 control");
		if (c == 0xE2 && i + 2 < payload.size() && payload[i + 1] == '\x80')
			require(payload[i + 2] != '\xA8' && payload[i + 2] != '\xA9', "no raw U+2028/U+2029");
	}
}

void
check_member(const nlohmann::ordered_json &value, const member &m)
{
	switch (m.kind)
	{
		case RP_VALUE_NULL:
			require(value.is_null(), "null");
			break;
		case RP_VALUE_STRING:
			require(value.is_string() && value.get<std::string>() == m.text, "string round trip");
			break;
		case RP_VALUE_BOOL:
			require(value.is_boolean() && value.get<bool>() == m.boolean, "bool round trip");
			break;
		case RP_VALUE_INT:
			require(value.is_number_integer() && value.get<int64_t>() == m.number, "integer round trip");
			break;
		case RP_VALUE_TIMESTAMP:
			require(value.is_string() && parse_timestamp(value.get<std::string>()) == m.number, "timestamp round trip");
			break;
		case RP_VALUE_STRING_LIST:
			require(value.is_array() && value.size() == m.list.size(), "list size");
			for (size_t i = 0; i < m.list.size(); ++i)
				require(value[i].get<std::string>() == m.list[i].c_str(), "list item round trip");
			break;
	}
}

}								/* namespace */

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzedDataProvider fdp(data, size);
	uint8_t		id_bytes[16] = {};
	uint8_t		user_bytes[16] = {};
	char		event_id[37];
	char		user_id[37];

	fdp.ConsumeData(id_bytes, sizeof(id_bytes));
	fdp.ConsumeData(user_bytes, sizeof(user_bytes));
	rp_make_uuid_v4(id_bytes);
	rp_format_uuid(id_bytes, event_id);
	rp_format_uuid(user_bytes, user_id);
	require(event_id[14] == '4' && std::strchr("89ab", event_id[19]) != nullptr, "v4 uuid");

	const std::string event_type = fdp.ConsumeRandomLengthString(32);
	const int64_t version = fdp.ConsumeIntegral<int64_t>();
	const int64_t occurred_at = consume_timestamp(fdp);
	std::vector<member> members(fdp.ConsumeIntegralInRange<size_t>(0, 6));
	bool		valid = !event_type.empty() && event_type[0] != '\0' && is_utf8(event_type.c_str()) && in_range(occurred_at);

	for (size_t i = 0; i < members.size(); ++i)
	{
		member	   &m = members[i];

		/* an index prefix keeps names unique, so parsing back loses nothing */
		m.name = std::to_string(i) + fdp.ConsumeRandomLengthString(12);
		m.kind = static_cast<rp_value_kind>(fdp.ConsumeIntegralInRange<int>(RP_VALUE_NULL, RP_VALUE_STRING_LIST));
		valid = valid && is_utf8(m.name.c_str());
		switch (m.kind)
		{
			case RP_VALUE_NULL:
				break;
			case RP_VALUE_STRING:
				m.text = fdp.ConsumeRandomLengthString(300);
				valid = valid && is_utf8(m.text);
				break;
			case RP_VALUE_BOOL:
				m.boolean = fdp.ConsumeBool();
				break;
			case RP_VALUE_INT:
				m.number = fdp.ConsumeIntegral<int64_t>();
				break;
			case RP_VALUE_TIMESTAMP:
				m.number = consume_timestamp(fdp);
				valid = valid && in_range(m.number);
				break;
			case RP_VALUE_STRING_LIST:
				m.list.resize(fdp.ConsumeIntegralInRange<size_t>(0, 4));
				for (std::string &item : m.list)
				{
					item = fdp.ConsumeRandomLengthString(40);
					m.list_pointers.push_back(item.c_str());
					valid = valid && is_utf8(item.c_str());
				}
				break;
		}
	}

	std::vector<rp_value> values(members.size());

	for (size_t i = 0; i < members.size(); ++i)
	{
		values[i].name = members[i].name.c_str();
		values[i].kind = members[i].kind;
		values[i].str = members[i].text.data();
		values[i].len = members[i].text.size();
		values[i].boolean = members[i].boolean;
		values[i].integer = members[i].number;
		values[i].unix_micros = members[i].number;
		values[i].list = members[i].list_pointers.data();
		values[i].list_len = static_cast<int>(members[i].list_pointers.size());
	}

	rp_event	event {};

	event.event_id = event_id;
	event.event_type = event_type.c_str();
	event.user_id = user_id;
	event.version = version;
	event.occurred_at_unix_micros = occurred_at;
	event.data = values.data();
	event.data_len = static_cast<int>(values.size());

	rp_error	err;
	const size_t needed = rp_build_payload(&event, nullptr, 0, &err);

	if (needed == RP_FAILED)
	{
		require(!valid, err.message);
		require(err.kind == RP_ERROR_INVALID_VALUE, "rejections are invalid values");
		return 0;
	}
	require(valid, "accepted an event with invalid UTF-8 or an out-of-range timestamp");

	std::string payload(needed + 1, 'X');

	if (needed > 0)
		require(rp_build_payload(&event, payload.data(), needed - 1, &err) == needed && payload[0] == '\0',
				"too small a buffer gets an empty string");
	require(rp_build_payload(&event, payload.data(), payload.size(), &err) == needed && payload[needed] == '\0',
			"second pass writes the size the first pass asked for");
	payload.resize(needed);
	check_raw_bytes(payload);

	const auto	json = nlohmann::ordered_json::parse(payload, nullptr, false);

	require(!json.is_discarded(), "payload parses as JSON");
	require(json.size() == 6 && json.begin().key() == "event_id", "envelope members");
	require(json["event_id"] == event_id && json["user_id"] == user_id, "ids round trip");
	require(json["event_type"] == event_type.c_str(), "event_type round trip");
	require(json["version"].get<int64_t>() == version, "version round trip");
	require(parse_timestamp(json["occurred_at"].get<std::string>()) == occurred_at, "occurred_at round trip");

	const auto &data_json = json["data"];

	require(data_json.size() == members.size(), "data member count");

	size_t		i = 0;

	for (const auto &item : data_json.items())
	{
		require(item.key() == members[i].name.c_str(), "member name and order");
		check_member(item.value(), members[i]);
		++i;
	}
	return 0;
}
