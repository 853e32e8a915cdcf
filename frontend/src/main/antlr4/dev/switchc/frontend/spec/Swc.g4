/*
 * .swc spec files: a list of named blocks of `name = value` fields.
 *
 *   switch_layer {
 *     batch = 8            # comment
 *     capacity_factor = 1.25;
 *   }
 *   mesh { data = 2  expert = 4 }
 *   layout { batch = (data, expert)  experts = expert  d_model = () }
 *
 * The grammar knows nothing about which blocks or fields exist: SpecFile checks names, so that an
 * unknown name is reported with the known ones instead of as a syntax error. A value is one literal
 * or a parenthesised, comma-separated tuple of literals (possibly empty); only layout rules take
 * tuples, and the block, not the grammar, says so.
 */
grammar Swc;

file   : block* EOF ;
block  : name=IDENT LBRACE field* RBRACE ;
field  : name=IDENT EQUALS value SEMI? ;
// Every literal is accepted here; the field decides what it takes (LayerField.parse), so that
// `batch = 1.5` or `batch = "8"` gets a message about batch rather than a syntax error. Likewise a
// tuple holds any literals, so that `batch = (data, 2)` is told that '2' is not a mesh axis name.
value  : scalar | tuple ;
scalar : INT | DECIMAL | IDENT | STRING | MALFORMED_NUMBER ;
tuple  : LPAREN (scalar (COMMA scalar)*)? RPAREN ;

LBRACE : '{' ;
RBRACE : '}' ;
LPAREN : '(' ;
RPAREN : ')' ;
COMMA  : ',' ;
EQUALS : '=' ;
SEMI   : ';' ;

// Signs are part of the literal so that `batch = -4` reaches range checking ("must be at least 1").
INT     : SIGN? DIGIT+ ;
DECIMAL : SIGN? (DIGIT+ '.' DIGIT* | '.' DIGIT+) EXPONENT?
        | SIGN? DIGIT+ EXPONENT
        ;
IDENT   : [a-zA-Z_] [a-zA-Z0-9_]* ;
STRING  : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;

// Number-like words that are not numbers (1.2.3, 8x, 1e). Lexed as one token, so the field's own
// parser reports "'8x' is not a number" instead of the parser tripping over the pieces.
MALFORMED_NUMBER : SIGN? (DIGIT | '.' DIGIT) [a-zA-Z0-9_.]* ;

COMMENT : ('#' | '//') ~[\r\n]* -> skip ;
WS      : [ \t\r\n\f]+ -> skip ;

// Catch-alls, so the lexer never reports an error of its own: the parser reports these tokens with
// its context ("expected a value after 'batch ='"), which reads better than a lexer error.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '\\'? ;
ERROR_CHAR          : . ;

fragment SIGN     : [+-] ;
fragment DIGIT    : [0-9] ;
fragment EXPONENT : [eE] SIGN? DIGIT+ ;
