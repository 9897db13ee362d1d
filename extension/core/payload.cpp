/*
 * payload.cpp: the event envelope as JSON, and uuid text (see payload.hpp).
 */
#include "payload.hpp"

#include "utf8.hpp"

#include <charconv>
#include <cstring>

namespace realchat
{

void
bounded_writer::put(std::string_view s) noexcept
{
	if (len_ < cap_)
	{
		const size_t room = cap_ - len_;

		std::memcpy(out_ + len_, s.data(), s.size() < room ? s.size() : room);
	}
	len_ += s.size();
}

size_t
bounded_writer::finish() noexcept
{
	if (len_ < cap_)
		out_[len_] = '\0';
	else if (len_ > cap_ && cap_ > 0)
		out_[0] = '\0';
	return len_;
}

namespace
{

constexpr char hex_digits[] = "0123456789abcdef";

void
write_escape(bounded_writer &w, char32_t cp)
{
	switch (cp)
	{
		case '"':
			w.put("\\\"");
			return;
		case '\\':
			w.put("\\\\");
			return;
		case '\b':
			w.put("\\b");
			return;
		case '\f':
			w.put("\\f");
			return;
		case '\n':
			w.put("\\n");
			return;
		case '\r':
			w.put("\\r");
			return;
		case '\t':
			w.put("\\t");
			return;
		default:
			break;
	}

	/* only called for code points below U+10000: one \uXXXX is enough */
	const char	escape[] = {
		'\\', 'u',
		hex_digits[(cp >> 12) & 0xF], hex_digits[(cp >> 8) & 0xF],
		hex_digits[(cp >> 4) & 0xF], hex_digits[cp & 0xF]
	};

	w.put(std::string_view(escape, sizeof(escape)));
}

/* Lower-case member names and indexes for messages: "data.bio", "data.changed[2]". */
std::string
member_path(std::string_view name)
{
	return "data." + std::string(name);
}

void
write_integer(bounded_writer &w, int64_t value)
{
	char		digits[24];
	const auto	result = std::to_chars(digits, digits + sizeof(digits), value);

	w.put(std::string_view(digits, static_cast<size_t>(result.ptr - digits)));
}

void
write_timestamp(bounded_writer &w, int64_t unix_micros, std::string_view what)
{
	w.put('"');
	w.put(format_timestamp(unix_micros, what));
	w.put('"');
}

void
write_uuid(bounded_writer &w, const char *text, std::string_view what)
{
	if (text == nullptr || !is_canonical_uuid(text))
		throw invalid_value(std::string(what) + " must be a canonical lower-case uuid");
	w.put('"');
	w.put(text);
	w.put('"');
}

void
write_string_list(bounded_writer &w, const rp_value &value, const std::string &path)
{
	if (value.list_len < 0 || (value.list_len > 0 && value.list == nullptr))
		throw invalid_value(path + " must point to list_len strings");
	w.put('[');
	for (int i = 0; i < value.list_len; ++i)
	{
		const std::string item = path + "[" + std::to_string(i) + "]";

		if (value.list[i] == nullptr)
			throw invalid_value(item + " must not be a null pointer");
		if (i > 0)
			w.put(',');
		write_json_string(w, value.list[i], item);
	}
	w.put(']');
}

void
write_member(bounded_writer &w, const rp_value &value, int index)
{
	if (value.name == nullptr)
		throw invalid_value("data member " + std::to_string(index) + " must have a name");
	/* the name is checked before it is quoted in any message */
	write_json_string(w, value.name, "data member " + std::to_string(index) + " name");
	w.put(':');

	const std::string path = member_path(value.name);

	switch (value.kind)
	{
		case RP_VALUE_NULL:
			w.put("null");
			return;
		case RP_VALUE_STRING:
			if (value.str == nullptr && value.len > 0)
				throw invalid_value(path + " must point to len bytes");
			write_json_string(w, std::string_view(value.str != nullptr ? value.str : "", value.len), path);
			return;
		case RP_VALUE_BOOL:
			w.put(value.boolean ? "true" : "false");
			return;
		case RP_VALUE_INT:
			write_integer(w, value.integer);
			return;
		case RP_VALUE_TIMESTAMP:
			write_timestamp(w, value.unix_micros, path);
			return;
		case RP_VALUE_STRING_LIST:
			write_string_list(w, value, path);
			return;
	}
	throw invalid_value(path + " has an unknown value kind " + std::to_string(static_cast<int>(value.kind)));
}

/* value as `width` zero-padded decimal digits at p. */
void
put_digits(char *p, unsigned value, int width)
{
	for (int i = width - 1; i >= 0; --i)
	{
		p[i] = static_cast<char>('0' + value % 10);
		value /= 10;
	}
}

}								/* namespace */

void
write_json_string(bounded_writer &w, std::string_view s, std::string_view what)
{
	size_t		run = 0;		/* start of the bytes copied as they are */
	size_t		pos = 0;

	w.put('"');
	while (pos < s.size())
	{
		const unsigned char byte = static_cast<unsigned char>(s[pos]);

		if (byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\')
		{
			++pos;
			continue;
		}

		const size_t start = pos;
		char32_t	cp = byte;

		if (byte >= 0x80)
		{
			cp = utf8::decode(s, pos);
			if (cp == utf8::invalid)
				throw invalid_value(std::string(what) + " must be valid UTF-8");
			/* C1 controls and U+2028/U+2029 are escaped, the rest kept */
			if (cp >= 0xA0 && cp != 0x2028 && cp != 0x2029)
				continue;
		}
		else
			++pos;
		w.put(s.substr(run, start - run));
		write_escape(w, cp);
		run = pos;
	}
	w.put(s.substr(run));
	w.put('"');
}

std::string
format_timestamp(int64_t unix_micros, std::string_view what)
{
	constexpr int64_t micros_per_day = INT64_C(86400000000);

	/* floor division, so times before 1970 land on the right day */
	int64_t		days = unix_micros / micros_per_day;
	int64_t		micros_of_day = unix_micros % micros_per_day;

	if (micros_of_day < 0)
	{
		micros_of_day += micros_per_day;
		--days;
	}

	/* Howard Hinnant's civil_from_days: proleptic Gregorian, any int64 day */
	const int64_t z = days + 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const int64_t day_of_era = z - era * 146097;
	const int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	const int64_t shifted_month = (5 * day_of_year + 2) / 153;	/* March = 0 */
	const int64_t day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
	const int64_t month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
	const int64_t year = year_of_era + era * 400 + (month <= 2);

	if (year < 0 || year > 9999)
		throw invalid_value(std::string(what) + " is out of range (years 0000 to 9999 only)");

	const int64_t seconds_of_day = micros_of_day / 1000000;
	char		text[] = "YYYY-MM-DDTHH:MM:SS.ffffffZ";

	put_digits(text, static_cast<unsigned>(year), 4);
	put_digits(text + 5, static_cast<unsigned>(month), 2);
	put_digits(text + 8, static_cast<unsigned>(day), 2);
	put_digits(text + 11, static_cast<unsigned>(seconds_of_day / 3600), 2);
	put_digits(text + 14, static_cast<unsigned>(seconds_of_day / 60 % 60), 2);
	put_digits(text + 17, static_cast<unsigned>(seconds_of_day % 60), 2);
	put_digits(text + 20, static_cast<unsigned>(micros_of_day % 1000000), 6);
	return std::string(text, sizeof(text) - 1);
}

bool
is_canonical_uuid(std::string_view s) noexcept
{
	if (s.size() != 36)
		return false;
	for (size_t i = 0; i < s.size(); ++i)
	{
		const char c = s[i];
		const bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash_here ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

size_t
write_payload(const rp_event &event, char *out, size_t cap)
{
	if (event.data_len < 0 || (event.data_len > 0 && event.data == nullptr))
		throw invalid_value("data must point to data_len members");
	if (event.event_type == nullptr || event.event_type[0] == '\0')
		throw invalid_value("event_type must not be empty");

	bounded_writer w(out, cap);

	w.put("{\"event_id\":");
	write_uuid(w, event.event_id, "event_id");
	w.put(",\"event_type\":");
	write_json_string(w, event.event_type, "event_type");
	w.put(",\"user_id\":");
	write_uuid(w, event.user_id, "user_id");
	w.put(",\"version\":");
	write_integer(w, event.version);
	w.put(",\"occurred_at\":");
	write_timestamp(w, event.occurred_at_unix_micros, "occurred_at");
	w.put(",\"data\":{");
	for (int i = 0; i < event.data_len; ++i)
	{
		if (i > 0)
			w.put(',');
		write_member(w, event.data[i], i);
	}
	w.put("}}");
	return w.finish();
}

std::string
build_payload(const rp_event &event)
{
	const size_t size = write_payload(event, nullptr, 0);
	std::string out(size + 1, '\0');	/* + 1: room for the NUL it writes */

	write_payload(event, out.data(), out.size());
	out.resize(size);
	return out;
}

void
format_uuid(const uint8_t bytes[16], char out[37]) noexcept
{
	char	   *p = out;

	for (int i = 0; i < 16; ++i)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex_digits[bytes[i] >> 4];
		*p++ = hex_digits[bytes[i] & 0xF];
	}
	*p = '\0';
}

void
make_uuid_v4(uint8_t bytes[16]) noexcept
{
	bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x40);	/* version 4 */
	bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);	/* RFC 4122 variant */
}

}								/* namespace realchat */
