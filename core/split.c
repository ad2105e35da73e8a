/* SPDX-License-Identifier: MIT */
/*
 * split.c - cutting a SQL script into statements, dialect-aware.
 *
 * A script is read once, token by token: white space, comments, quoted
 * things (strings, quoted names, PostgreSQL dollar bodies), words and
 * single-byte symbols. The statement iterator watches the tokens that
 * decide where a statement ends: ';', parentheses, and the BEGIN, CASE
 * and END words of trigger and routine bodies. The dialect's rules come
 * as DBSHIFT_SPLIT_* properties that its driver declares (split.h).
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "split.h"

/* Short names for the properties (dbshift__split.flags). */
#define F_NESTED_COMMENTS DBSHIFT_SPLIT_NESTED_COMMENTS
#define F_DOLLAR_QUOTES DBSHIFT_SPLIT_DOLLAR_QUOTES
#define F_E_STRINGS DBSHIFT_SPLIT_E_STRINGS
#define F_BACKSLASH DBSHIFT_SPLIT_BACKSLASH_ESCAPES
#define F_BACKTICKS DBSHIFT_SPLIT_BACKTICK_NAMES
#define F_BRACKETS DBSHIFT_SPLIT_BRACKET_NAMES
#define F_HASH_COMMENTS DBSHIFT_SPLIT_HASH_COMMENTS
#define F_DASH_SPACE DBSHIFT_SPLIT_DASH_SPACE
#define F_BANG_COMMENTS DBSHIFT_SPLIT_BANG_COMMENTS
#define F_ROUTINE_BODIES DBSHIFT_SPLIT_ROUTINE_BODIES

/* The words the statement iterator cares about. */
enum keyword {
	KW_NONE,
	KW_BEGIN,
	KW_END,
	KW_CASE,
	KW_CREATE,
	KW_ALTER,
	KW_ROUTINE, /* TRIGGER, FUNCTION, PROCEDURE, EVENT */
	KW_NOT,
	KW_END_OF_LOOP /* IF, LOOP, WHILE, REPEAT, FOR after END */
};

/* How many words may stand before TRIGGER etc. in CREATE [OR REPLACE]
 * [DEFINER = x] [TEMPORARY] [CONSTRAINT] TRIGGER. */
#define ROUTINE_WORD_LIMIT 8

/* The state of one statement while its tokens are read. */
struct scan {
	int started;	     /* a token of the statement was seen */
	size_t start;	     /* offset of its first token */
	size_t last_end;     /* offset past its last token so far */
	int line;	     /* line of its first token */
	unsigned words;	     /* words seen outside parentheses */
	enum keyword first;  /* the first of them */
	int routine;	     /* CREATE/ALTER TRIGGER, FUNCTION, ... */
	unsigned long block; /* open BEGIN/CASE ... END in a body */
	unsigned long paren; /* open parentheses */
	int pending_end;     /* END seen; the next token says which END */
	int after_dot;	     /* the last token was '.' */
};

void dbshift__split_init(dbshift__split *s, const char *sql, size_t len,
			 uint64_t flags)
{
	/* A driver built against a 1.1 header declares a smaller iterator:
	 * clear the delimiter fields only when the property says they
	 * exist. */
	memset(s, 0, offsetof(dbshift__split, error));
	if (flags & DBSHIFT_SPLIT_DELIMITER_COMMAND) {
		s->error = NULL;
		s->delimiter_len = 0;
		s->delimiter_changes = 0;
		memset(s->delimiter, 0, sizeof(s->delimiter));
	}
	s->sql = sql;
	s->len = sql != NULL ? len : 0;
	s->line = 1;
	s->flags = flags;
}

int32_t dbshift__split_line_at(const char *sql, size_t pos)
{
	const char *p = sql, *stop = sql + pos;
	int32_t line = 1;

	while (p < stop && (p = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
		line++;
		p++;
	}
	return line;
}

/* ---- the tokenizer ---- */

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* A byte that may start a word: letters, digits, '_' and any byte of a
 * multi-byte UTF-8 character. */
static int is_word_start(char c)
{
	unsigned char u = (unsigned char)c;

	return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
	       (u >= '0' && u <= '9') || u == '_' || u >= 0x80;
}

/* Names go on with '$' as well, in every dialect we know. */
static int is_word_char(char c)
{
	return is_word_start(c) || c == '$';
}

/* A byte of a dollar-quote tag after its first: no '$'. */
static int is_tag_char(char c)
{
	return is_word_start(c);
}

/*
 * Offset past the quote that closes a quoted thing whose body starts at
 * pos: a doubled close is part of the body, and so is the byte after a
 * backslash when backslash is set. len when it is never closed.
 */
static size_t quoted_end(const char *sql, size_t len, size_t pos, char close,
			 int backslash)
{
	while (pos < len) {
		char c = sql[pos++];

		if (backslash && c == '\\') {
			if (pos < len)
				pos++;
		} else if (c == close) {
			if (pos < len && sql[pos] == close)
				pos++;
			else
				return pos;
		}
	}
	return len;
}

/* Offset past the end of a block comment whose body starts at pos. */
static size_t block_comment_end(const char *sql, size_t len, size_t pos,
				int nested)
{
	unsigned long depth = 1;

	while (pos + 1 < len) {
		if (sql[pos] == '*' && sql[pos + 1] == '/') {
			pos += 2;
			if (--depth == 0)
				return pos;
		} else if (nested && sql[pos] == '/' && sql[pos + 1] == '*') {
			pos += 2;
			depth++;
		} else {
			pos++;
		}
	}
	return len;
}

/* Offset of the '\n' ending the line comment at pos, or len. */
static size_t line_comment_end(const char *sql, size_t len, size_t pos)
{
	const char *nl = memchr(sql + pos, '\n', len - pos);

	return nl != NULL ? (size_t)(nl - sql) : len;
}

/* Length of the "$tag$" or "$$" opening a dollar body at pos, or 0 when
 * the '$' at pos opens none (a parameter such as $1, or a lone '$'). */
static size_t dollar_tag_len(const char *sql, size_t len, size_t pos)
{
	size_t i = pos + 1;

	if (i < len && is_tag_char(sql[i])) {
		if (sql[i] >= '0' && sql[i] <= '9')
			return 0;
		while (i < len && is_tag_char(sql[i]))
			i++;
	}
	if (i < len && sql[i] == '$')
		return i + 1 - pos;
	return 0;
}

/* Offset past the tag_len-byte tag at tag that closes a dollar body
 * starting at pos, or len. */
static size_t dollar_end(const char *sql, size_t len, size_t pos,
			 const char *tag, size_t tag_len)
{
	const char *p;

	while (pos + tag_len <= len) {
		p = memchr(sql + pos, '$', len - pos);
		if (p == NULL)
			break;
		pos = (size_t)(p - sql);
		if (pos + tag_len <= len && memcmp(p, tag, tag_len) == 0)
			return pos + tag_len;
		pos++;
	}
	return len;
}

/* Does a "--" at pos start a comment? In MySQL only when white space or
 * a control character (or the end) follows. */
static int dash_comment_at(const dbshift__split *s, size_t pos)
{
	if (pos + 1 >= s->len || s->sql[pos] != '-' || s->sql[pos + 1] != '-')
		return 0;
	if (!(s->flags & F_DASH_SPACE) || pos + 2 == s->len)
		return 1;
	return (unsigned char)s->sql[pos + 2] <= ' ';
}

/* The token at pos when it starts with '/': a block comment or a symbol. */
static size_t slash_token(const dbshift__split *s, size_t pos,
			  dbshift__token *kind)
{
	const char *sql = s->sql;

	if (pos + 1 >= s->len || sql[pos + 1] != '*') {
		*kind = DBSHIFT__TOKEN_SYMBOL;
		return pos + 1;
	}
	*kind = DBSHIFT__TOKEN_COMMENT;
	if ((s->flags & F_BANG_COMMENTS) && pos + 2 < s->len &&
	    (sql[pos + 2] == '!' ||
	     (sql[pos + 2] == 'M' && pos + 3 < s->len && sql[pos + 3] == '!')))
		*kind = DBSHIFT__TOKEN_QUOTED;
	return block_comment_end(sql, s->len, pos + 2,
				 (s->flags & F_NESTED_COMMENTS) != 0);
}

/* A word at pos, or PostgreSQL's E'...' string when the word is E. */
static size_t word_token(const dbshift__split *s, size_t pos,
			 dbshift__token *kind)
{
	const char *sql = s->sql;
	size_t end = pos + 1;

	while (end < s->len && is_word_char(sql[end]))
		end++;
	*kind = DBSHIFT__TOKEN_WORD;
	if ((s->flags & F_E_STRINGS) && end == pos + 1 &&
	    (sql[pos] == 'E' || sql[pos] == 'e') && end < s->len &&
	    sql[end] == '\'') {
		*kind = DBSHIFT__TOKEN_QUOTED;
		return quoted_end(sql, s->len, end + 1, '\'', 1);
	}
	return end;
}

/* A token starting with a quote character: a string or quoted name. */
static size_t quote_token(const dbshift__split *s, size_t pos)
{
	const char *sql = s->sql;
	const char *close;
	char c = sql[pos];

	if (c == '[') {
		close = memchr(sql + pos + 1, ']', s->len - pos - 1);
		return close != NULL ? (size_t)(close - sql) + 1 : s->len;
	}
	return quoted_end(sql, s->len, pos + 1, c,
			  c != '`' && (s->flags & F_BACKSLASH));
}

/* Is the byte at pos an opening quote in s's dialect? */
static int quote_at(const dbshift__split *s, size_t pos)
{
	char c = s->sql[pos];

	return c == '\'' || c == '"' ||
	       (c == '`' && (s->flags & F_BACKTICKS)) ||
	       (c == '[' && (s->flags & F_BRACKETS));
}

size_t dbshift__split_token(const dbshift__split *s, size_t pos,
			    dbshift__token *kind)
{
	const char *sql = s->sql;
	size_t len = s->len, tag_len;
	char c = sql[pos];

	if (is_space(c)) {
		*kind = DBSHIFT__TOKEN_SPACE;
		while (pos < len && is_space(sql[pos]))
			pos++;
		return pos;
	}
	if (dash_comment_at(s, pos) ||
	    (c == '#' && (s->flags & F_HASH_COMMENTS))) {
		*kind = DBSHIFT__TOKEN_COMMENT;
		return line_comment_end(sql, len, pos);
	}
	if (c == '/')
		return slash_token(s, pos, kind);
	if (quote_at(s, pos)) {
		*kind = DBSHIFT__TOKEN_QUOTED;
		return quote_token(s, pos);
	}
	if (c == '$' && (s->flags & F_DOLLAR_QUOTES) &&
	    (tag_len = dollar_tag_len(sql, len, pos)) > 0) {
		*kind = DBSHIFT__TOKEN_QUOTED;
		return dollar_end(sql, len, pos + tag_len, sql + pos, tag_len);
	}
	if (is_word_start(c))
		return word_token(s, pos, kind);
	*kind = DBSHIFT__TOKEN_SYMBOL;
	return pos + 1;
}

/* ---- statements ---- */

/* Which keyword the len-byte word at w is, in any case. */
static enum keyword keyword_of(const char *w, size_t len)
{
	static const struct {
		const char *word;
		enum keyword kw;
	} words[] = {
		{"BEGIN", KW_BEGIN},	   {"END", KW_END},
		{"CASE", KW_CASE},	   {"CREATE", KW_CREATE},
		{"ALTER", KW_ALTER},	   {"TRIGGER", KW_ROUTINE},
		{"FUNCTION", KW_ROUTINE},  {"PROCEDURE", KW_ROUTINE},
		{"EVENT", KW_ROUTINE},	   {"NOT", KW_NOT},
		{"IF", KW_END_OF_LOOP},	   {"LOOP", KW_END_OF_LOOP},
		{"WHILE", KW_END_OF_LOOP}, {"REPEAT", KW_END_OF_LOOP},
		{"FOR", KW_END_OF_LOOP},
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == len &&
		    strncasecmp(w, words[i].word, len) == 0)
			return words[i].kw;
	return KW_NONE;
}

int dbshift__split_newlines(const char *sql, size_t pos, size_t end)
{
	const char *p = sql + pos, *stop = sql + end;
	int n = 0;

	while (p < stop && (p = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/*
 * Settle an END seen in a body now that the next token is known: END IF,
 * END LOOP etc. close blocks the iterator does not count; any other END
 * closes a BEGIN or CASE, and END CASE is one close. Returns kw, or
 * KW_NONE when the token was the second word of the END.
 */
static enum keyword settle_end(struct scan *sc, enum keyword kw)
{
	sc->pending_end = 0;
	if (kw == KW_END_OF_LOOP)
		return KW_NONE;
	sc->block--;
	return kw == KW_CASE ? KW_NONE : kw;
}

/* Take note of a word outside parentheses that may open or close a body. */
static void scan_word(struct scan *sc, enum keyword kw)
{
	sc->words++;
	if (sc->words == 1) {
		/* BEGIN first is a transaction; END first is COMMIT. */
		sc->first = kw;
		return;
	}
	if (sc->words == 2 && sc->first == KW_BEGIN && kw == KW_NOT) {
		sc->block++; /* MariaDB's BEGIN NOT ATOMIC */
		return;
	}
	if (kw == KW_ROUTINE && sc->words <= ROUTINE_WORD_LIMIT &&
	    (sc->first == KW_CREATE || sc->first == KW_ALTER))
		sc->routine = 1;
	else if (kw == KW_BEGIN && (sc->block > 0 || sc->routine))
		sc->block++;
	else if (kw == KW_CASE && sc->block > 0)
		sc->block++;
	else if (kw == KW_END && sc->block > 0)
		sc->pending_end = 1;
}

/*
 * Take note of the significant token [pos, end) of kind. Returns 1 when
 * it is the ';' that ends the statement.
 */
static int scan_token(struct scan *sc, const dbshift__split *s, size_t pos,
		      size_t end, dbshift__token kind, int line)
{
	char c = s->sql[pos];
	enum keyword kw = KW_NONE;
	int semi = kind == DBSHIFT__TOKEN_SYMBOL && c == ';';

	if (!sc->started) {
		if (semi)
			return 0; /* an empty statement */
		sc->started = 1;
		sc->start = pos;
		sc->line = line;
	}
	if (kind == DBSHIFT__TOKEN_WORD && sc->paren == 0 && !sc->after_dot)
		kw = keyword_of(s->sql + pos, end - pos);
	if (sc->pending_end)
		kw = settle_end(sc, kw);
	if (semi && sc->paren == 0 && sc->block == 0)
		return 1;
	sc->last_end = end;
	sc->after_dot = kind == DBSHIFT__TOKEN_SYMBOL && c == '.';
	if (kind == DBSHIFT__TOKEN_SYMBOL && c == '(')
		sc->paren++;
	else if (kind == DBSHIFT__TOKEN_SYMBOL && c == ')' && sc->paren > 0)
		sc->paren--;
	else if (kind == DBSHIFT__TOKEN_WORD && sc->paren == 0 &&
		 (s->flags & F_ROUTINE_BODIES))
		scan_word(sc, kw);
	return 0;
}

int dbshift__split_next(dbshift__split *s, dbshift__stmt *stmt)
{
	if (s->flags & DBSHIFT_SPLIT_DELIMITER_COMMAND)
		return dbshift__split_delim_next(s, stmt);
	return dbshift__split_plain_next(s, stmt);
}

int dbshift__split_plain_next(dbshift__split *s, dbshift__stmt *stmt)
{
	struct scan sc;
	size_t pos = s->pos, end;
	dbshift__token kind;
	int line = s->line, done = 0;

	memset(&sc, 0, sizeof(sc));
	while (pos < s->len && !done) {
		end = dbshift__split_token(s, pos, &kind);
		if (kind != DBSHIFT__TOKEN_SPACE &&
		    kind != DBSHIFT__TOKEN_COMMENT)
			done = scan_token(&sc, s, pos, end, kind, line);
		line += dbshift__split_newlines(s->sql, pos, end);
		pos = end;
	}
	s->pos = pos;
	s->line = line;
	if (!sc.started)
		return 0;
	stmt->start = sc.start;
	stmt->len = sc.last_end - sc.start;
	stmt->line = sc.line;
	return 1;
}
