package io.ferrite.http;

import io.ferrite.codecs.sbe.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * DynamoDB's error wire form for each of Ferrite's error codes: the {@code __type} (namespace + name, as
 * DynamoDB sends it; SDKs read the part after {@code #}) and the HTTP status. The codes are the one error table
 * of every front ({@link ErrorCode}); only the two protocol-level errors below have no SBE code.
 * <p>
 * Threading: stateless.
 */
final class DynamoErrors
{
    /** An X-Amz-Target that names no DynamoDB operation, or none at all. */
    static final String UNKNOWN_OPERATION = "com.amazon.coral.service#UnknownOperationException";
    /** The body is not JSON, or a member has the wrong JSON type. */
    static final String SERIALIZATION = "com.amazon.coral.service#SerializationException";

    private static final String DYNAMODB = "com.amazonaws.dynamodb.v20120810#";

    private DynamoErrors()
    {
    }

    /**
     * @param code Ferrite's error code.
     * @return DynamoDB's {@code __type} for it.
     */
    static String type(final ErrorCode code)
    {
        return switch (code)
        {
            case ValidationException -> "com.amazon.coral.validate#ValidationException";
            case SerializationException -> SERIALIZATION;
            case ThrottlingException -> "com.amazon.coral.availability#ThrottlingException";
            case ServiceUnavailable -> "com.amazon.coral.availability#ServiceUnavailableException";
            case NULL_VAL, OK -> DYNAMODB + "InternalServerError";
            default -> DYNAMODB + code.name();
        };
    }

    /**
     * @param code Ferrite's error code.
     * @return the HTTP status DynamoDB answers it with: 500 for internal errors, 503 when unavailable, else 400.
     */
    static HttpResponseStatus status(final ErrorCode code)
    {
        return switch (code)
        {
            case InternalServerError, NULL_VAL, OK -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
            case ServiceUnavailable -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            default -> HttpResponseStatus.BAD_REQUEST;
        };
    }
}
