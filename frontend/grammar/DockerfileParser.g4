// The structure of one logical instruction line. The line reaches this
// parser already trimmed of surrounding white space; per-keyword quirks of
// BuildKit's argument splitting (flags, ENV/LABEL pairs, HEALTHCHECK) are
// applied by frontend/parser/line_parsers.cc on the ranges found here.
parser grammar DockerfileParser;

options { tokenVocab = DockerfileLexer; }

// KEYWORD [arguments]: the keyword is the first blank-free run and the
// arguments are everything after the blanks that follow it. The rule stops
// after those blanks, so the (lazily filled) token stream lexes only the
// head of the line; the argument text is taken from there as a string.
// Sub-rules are inlined as labelled tokens throughout: each rule
// invocation costs the generated parser an allocation, and these rules run
// for every instruction.
instructionHead : kw+=~( JSON_BLANK | OTHER_BLANK )+ ( sep+=( JSON_BLANK | OTHER_BLANK ) )* ;

// Arguments split on blanks (FROM, EXPOSE, shell-form COPY/ADD/VOLUME):
// the words are the runs between `sep` tokens.
wordList : ( sep+=( JSON_BLANK | OTHER_BLANK ) | ~( JSON_BLANK | OTHER_BLANK ) )+ EOF ;

// Exec form: the arguments are exactly one JSON array (trailing JSON white
// space allowed). Members may be any JSON value so that a well-formed array
// holding a non-string can be told apart from text that is not JSON at all.
execForm
  : LBRACKET JSON_BLANK?
    ( ( strings+=STRING | others+=nonString ) JSON_BLANK?
      ( COMMA JSON_BLANK? ( strings+=STRING | others+=nonString ) JSON_BLANK? )* )?
    RBRACKET JSON_BLANK? EOF
  ;
nonString : NUMBER | JSON_TRUE | JSON_FALSE | JSON_NULL | object | array ;
value     : STRING | nonString ;
element   : value JSON_BLANK? ;
object    : LBRACE JSON_BLANK? ( member ( COMMA JSON_BLANK? member )* )? RBRACE ;
member    : STRING JSON_BLANK? COLON JSON_BLANK? element ;
array     : LBRACKET JSON_BLANK? ( element ( COMMA JSON_BLANK? element )* )? RBRACKET ;
