// Tokens of one logical Dockerfile instruction line: the text that remains
// after the hand-written layer (frontend/parser/parser.cc) has dropped
// comments and directives, joined continuation lines and cut heredoc bodies
// away. The input stream feeds one code point per byte, so token offsets are
// byte offsets into the line and non-ASCII bytes simply land in TEXT.
lexer grammar DockerfileLexer;

// BuildKit splits instruction lines on [\t\v\f\r ]; only the first three
// of those (and space) are also JSON white space.
JSON_BLANK  : [ \t\r]+ ;
OTHER_BLANK : [\u000B\f]+ ;

LBRACKET : '[' ;
RBRACKET : ']' ;
LBRACE   : '{' ;
RBRACE   : '}' ;
COMMA    : ',' ;
COLON    : ':' ;

// A complete JSON string (RFC 8259): no raw control characters, only the
// standard escapes.
STRING : '"' ( ~["\\\u0000-\u001F] | '\\' ["\\/bfnrt] | '\\u' HEX HEX HEX HEX )* '"' ;
NUMBER : '-'? ( '0' | [1-9] [0-9]* ) ( '.' [0-9]+ )? ( [eE] [+-]? [0-9]+ )? ;
JSON_TRUE  : 'true' ;
JSON_FALSE : 'false' ;
JSON_NULL  : 'null' ;

// Everything else: runs of ordinary characters, and a quote that does not
// start a valid JSON string.
TEXT  : ~[ \t\r\u000B\f[\]{},:"]+ ;
QUOTE : '"' ;

fragment HEX : [0-9a-fA-F] ;
