package io.ferrite.http;

/**
 * The kinds of token {@link JsonIn} reads (named as Jackson's, whose parser the front used before).
 */
enum JsonToken
{
    START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY, FIELD_NAME, VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT,
    VALUE_TRUE, VALUE_FALSE, VALUE_NULL
}
