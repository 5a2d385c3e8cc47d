// json_read.cpp: Json::parse, a strict RFC 8259 reader.
//
// Index: 1. Reader (position, line/column for messages)  2. values  3. strings  4. numbers
//        5. Json::parse
//
// Why our own: the core depends on Eigen and the standard library only, and it reads JSON that
// comes from anywhere (models/manifest.json, fetched by the page or read by `strata characterize`).
// So the reader refuses rather than guesses: no comments, trailing commas, NaN, single quotes or
// duplicate keys; nesting is limited to Json::max_depth so a hostile file cannot exhaust the
// stack; every error names the file, the line and the column. Fuzzed by fuzz/fuzz_manifest.cpp.
#include "error.hpp"
#include "json.hpp"

#include <cerrno>
#include <cstdlib>
#include <set>

namespace strata {

namespace {

// 1. The reader -------------------------------------------------------------------------------------------
class Reader {
public:
    Reader(std::string_view text, const std::string& name) : s_(text), name_(name) {}

    [[noreturn]] void fail(const std::string& what) const { fail_at(i_, what); }
    [[noreturn]] void fail_at(std::size_t at, const std::string& what) const {
        std::size_t line = 1, column = 1;
        for (std::size_t k = 0; k < at && k < s_.size(); ++k) {
            if (s_[k] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw Error(name_ + ": line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what);
    }

    void skip_space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }
    bool at_end() const { return i_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[i_]; }
    void expect(char c, const char* what) {
        skip_space();
        if (peek() != c) fail(std::string("expected ") + what + found());
        ++i_;
    }
    std::string found() const {
        if (at_end()) return ", found the end of the text";
        const unsigned char c = static_cast<unsigned char>(s_[i_]);
        if (c < 0x20 || c >= 0x7f) return ", found byte " + std::to_string(c);
        return std::string(", found '") + char(c) + "'";
    }

    Json value(int depth);
    std::string string();
    Json number();

    std::size_t i_ = 0;

private:
    void literal(const char* word) {
        for (const char* p = word; *p; ++p, ++i_)
            if (peek() != *p) fail(std::string("expected '") + word + "'" + found());
    }
    std::string_view s_;
    const std::string& name_;
};

// 2. Values --------------------------------------------------------------------------------------------------
Json Reader::value(int depth) {
    if (depth > Json::max_depth) fail("nested deeper than " + std::to_string(Json::max_depth) + " levels");
    skip_space();
    const char c = peek();
    if (c == '{') {
        ++i_;
        Json obj = Json::object();
        std::set<std::string> keys;
        skip_space();
        if (peek() == '}') {
            ++i_;
            return obj;
        }
        for (;;) {
            skip_space();
            const std::size_t key_at = i_;
            if (peek() != '"') fail("expected a key (a string in double quotes)" + found());
            std::string key = string();
            if (!keys.insert(key).second) fail_at(key_at, "duplicate key \"" + key + "\"");
            expect(':', "':' after a key");
            obj.set(key, value(depth + 1));
            skip_space();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            if (peek() == '}') {
                ++i_;
                return obj;
            }
            fail("expected ',' or '}' in an object" + found());
        }
    }
    if (c == '[') {
        ++i_;
        Json arr = Json::array();
        skip_space();
        if (peek() == ']') {
            ++i_;
            return arr;
        }
        for (;;) {
            arr.push(value(depth + 1));
            skip_space();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            if (peek() == ']') {
                ++i_;
                return arr;
            }
            fail("expected ',' or ']' in an array" + found());
        }
    }
    if (c == '"') return Json(string());
    if (c == 't') {
        literal("true");
        return Json(true);
    }
    if (c == 'f') {
        literal("false");
        return Json(false);
    }
    if (c == 'n') {
        literal("null");
        return Json();
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    fail("expected a value" + found());
}

// 3. Strings: escapes, \uXXXX with surrogate pairs to UTF-8; raw control characters are refused.
std::string Reader::string() {
    ++i_;  // the opening quote
    std::string out;
    auto hex4 = [this]() {
        unsigned v = 0;
        for (int k = 0; k < 4; ++k, ++i_) {
            const char h = peek();
            v <<= 4;
            if (h >= '0' && h <= '9') v |= unsigned(h - '0');
            else if (h >= 'a' && h <= 'f') v |= unsigned(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') v |= unsigned(h - 'A' + 10);
            else fail("expected 4 hex digits after \\u" + found());
        }
        return v;
    };
    auto put_utf8 = [&out](unsigned cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    };
    for (;;) {
        if (at_end()) fail("unterminated string");
        const char c = s_[i_];
        if (c == '"') {
            ++i_;
            return out;
        }
        if (static_cast<unsigned char>(c) < 0x20) fail("a control character inside a string (escape it)");
        if (c != '\\') {
            out += c;
            ++i_;
            continue;
        }
        ++i_;
        const char e = peek();
        ++i_;
        switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                unsigned cp = hex4();
                if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate needs its low half
                    if (peek() != '\\' || i_ + 1 >= s_.size() || s_[i_ + 1] != 'u')
                        fail("a lone UTF-16 surrogate in \\u escapes");
                    i_ += 2;
                    const unsigned lo = hex4();
                    if (lo < 0xDC00 || lo > 0xDFFF) fail("a lone UTF-16 surrogate in \\u escapes");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    fail("a lone UTF-16 surrogate in \\u escapes");
                }
                put_utf8(cp);
                break;
            }
            default: --i_; fail("an unknown escape in a string");
        }
    }
}

// 4. Numbers: the JSON grammar exactly; integers that fit in 64 bits stay integers.
Json Reader::number() {
    const std::size_t start = i_;
    bool integral = true;
    if (peek() == '-') ++i_;
    if (peek() == '0') {
        ++i_;
    } else if (peek() >= '1' && peek() <= '9') {
        while (peek() >= '0' && peek() <= '9') ++i_;
    } else {
        fail("expected a digit" + found());
    }
    if (peek() == '.') {
        integral = false;
        ++i_;
        if (!(peek() >= '0' && peek() <= '9')) fail("expected a digit after '.'" + found());
        while (peek() >= '0' && peek() <= '9') ++i_;
    }
    if (peek() == 'e' || peek() == 'E') {
        integral = false;
        ++i_;
        if (peek() == '+' || peek() == '-') ++i_;
        if (!(peek() >= '0' && peek() <= '9')) fail("expected a digit in the exponent" + found());
        while (peek() >= '0' && peek() <= '9') ++i_;
    }
    const std::string text(s_.substr(start, i_ - start));
    errno = 0;
    // "-0" stays the double -0.0: as the integer 0 it would be written back as "0" (found by
    // fuzz_manifest's round trip; fuzz/regressions/manifest/minus-zero-exponent).
    if (integral && text != "-0") {
        char* end = nullptr;
        const long long v = std::strtoll(text.c_str(), &end, 10);
        if (errno == 0) return Json(v);
        errno = 0;  // too large for 64 bits: a floating-point number
    }
    const double x = std::strtod(text.c_str(), nullptr);
    if (errno == ERANGE && (x > 1.0 || x < -1.0)) fail_at(start, "number " + text + " is out of range");
    return Json(x);
}

}  // namespace

// 5. Json::parse ----------------------------------------------------------------------------------------------
Json Json::parse(std::string_view text, const std::string& name) {
    Reader r(text, name);
    // A UTF-8 byte-order mark is tolerated (some editors write one); nothing else before the value.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") r.i_ = 3;
    r.skip_space();
    if (r.at_end()) r.fail("empty: no JSON value");
    Json v = r.value(0);
    r.skip_space();
    if (!r.at_end()) r.fail("text after the JSON value" + r.found());
    return v;
}

}  // namespace strata
