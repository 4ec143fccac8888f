package io.ferrite.transport.node;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.CreateTableRequestDecoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;

/**
 * Turns a CreateTableRequest into the engine's {@link TableSpec}, with DynamoDB's words for what is
 * wrong. Allocating (table management is not the latency path); stateless.
 */
final class TableRequests
{
    private TableRequests()
    {
    }

    /**
     * @param decoder a decoder wrapped at the start of the message (its key schema not yet read).
     * @return the spec; the engine checks names and the rest.
     */
    static TableSpec spec(final CreateTableRequestDecoder decoder)
    {
        String hashName = null;
        KeyType hashType = null;
        String rangeName = null;
        KeyType rangeType = null;
        for (final CreateTableRequestDecoder.KeySchemaDecoder element : decoder.keySchema())
        {
            final KeyRole role = element.keyRole();
            final AttributeType attributeType = element.attributeType();
            final String name = element.attributeName();
            final KeyType type = keyType(attributeType, name);
            if (KeyRole.HASH == role)
            {
                if (null != hashName)
                {
                    throw FerriteException.validation("Invalid KeySchema: Too many hash keys (" + hashName + ", " + name + ")");
                }
                hashName = name;
                hashType = type;
            }
            else if (KeyRole.RANGE == role)
            {
                if (null != rangeName)
                {
                    throw FerriteException.validation("Invalid KeySchema: Too many range keys (" + rangeName + ", " + name + ")");
                }
                rangeName = name;
                rangeType = type;
            }
            else
            {
                throw FerriteException.validation("1 validation error detected: Value '" + element.keyRoleRaw() +
                    "' at 'keySchema.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]");
            }
        }
        final String tableName = decoder.tableName();
        TableSpec spec = TableSpec.of(tableName);
        if (null != hashName)
        {
            spec = spec.partitionKey(hashName, hashType);
        }
        if (null != rangeName)
        {
            spec = spec.sortKey(rangeName, rangeType);
        }
        return spec;
    }

    static KeyType keyType(final AttributeType attributeType, final String name)
    {
        switch (attributeType)
        {
            case S:
                return KeyType.S;
            case N:
                return KeyType.N;
            case B:
                return KeyType.B;
            default:
                throw FerriteException.validation("1 validation error detected: Value '" + attributeType + "' at " +
                    "'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy " +
                    "enum value set: [B, N, S] (key attribute " + name + ")");
        }
    }

    static AttributeType attributeType(final KeyType keyType)
    {
        switch (keyType)
        {
            case S:
                return AttributeType.S;
            case N:
                return AttributeType.N;
            default:
                return AttributeType.B;
        }
    }
}
