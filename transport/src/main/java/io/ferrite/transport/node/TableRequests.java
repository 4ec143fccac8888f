package io.ferrite.transport.node;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.sbe.AttributeType;
import io.ferrite.codecs.sbe.CreateTableRequestDecoder;
import io.ferrite.codecs.sbe.KeyRole;
import io.ferrite.engine.admission.BillingMode;
import io.ferrite.engine.admission.TableCapacity;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;

/**
 * Turns a CreateTableRequest into the engine's {@link TableSpec}, with DynamoDB's words for what is
 * wrong. Allocating (table management is not the latency path); stateless. Public for the replicated cell, which
 * decodes the same requests.
 */
public final class TableRequests
{
    private TableRequests()
    {
    }

    /**
     * @param decoder a decoder wrapped at the start of the message (its key schema not yet read).
     * @return the spec; the engine checks names and the rest.
     * @throws FerriteException ValidationException for a key role or type outside the enums, or a second key of a role.
     */
    public static TableSpec spec(final CreateTableRequestDecoder decoder)
    {
        final TableCapacity capacity = TableCapacity.forCreate(
            billingMode(decoder.billingModeRaw()),
            nullAsZero(decoder.readCapacityUnits()), nullAsZero(decoder.writeCapacityUnits()));
        String hashName = null;
        KeyType hashType = null;
        String rangeName = null;
        KeyType rangeType = null;
        for (final CreateTableRequestDecoder.KeySchemaDecoder element : decoder.keySchema())
        {
            // raw values: a value outside the enum is the client's mistake, answered, not an exception from the decoder
            final short role = element.keyRoleRaw();
            final short attributeType = element.attributeTypeRaw();
            final String name = element.attributeName();
            final KeyType type = keyType(attributeType, name);
            if (KeyRole.HASH.value() == role)
            {
                if (null != hashName)
                {
                    throw FerriteException.validation("Invalid KeySchema: Too many hash keys (" + hashName + ", " + name + ")");
                }
                hashName = name;
                hashType = type;
            }
            else if (KeyRole.RANGE.value() == role)
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
                throw FerriteException.validation("1 validation error detected: Value '" + role +
                    "' at 'keySchema.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]");
            }
        }
        final String tableName = decoder.tableName();
        TableSpec spec = TableSpec.of(tableName).capacity(capacity);
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

    /**
     * @param raw the BillingMode field as the wire carries it.
     * @return the engine's mode for the wire's, or null when the field is absent (an older frame) or null.
     * @throws FerriteException ValidationException for a value outside the enum.
     */
    public static BillingMode billingMode(final short raw)
    {
        switch (raw)
        {
            case 1:
                return BillingMode.PROVISIONED;
            case 2:
                return BillingMode.PAY_PER_REQUEST;
            case 255:
                return null;
            default:
                throw FerriteException.validation("1 validation error detected: Value '" + raw + "' at 'billingMode' " +
                    "failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
        }
    }

    static io.ferrite.codecs.sbe.BillingMode wireBillingMode(final TableCapacity capacity)
    {
        return BillingMode.PROVISIONED == capacity.billingMode() ?
            io.ferrite.codecs.sbe.BillingMode.PROVISIONED : io.ferrite.codecs.sbe.BillingMode.PAY_PER_REQUEST;
    }

    /**
     * @return the capacity a stored or described table has (an older record without the fields: on-demand).
     */
    static TableCapacity capacity(final io.ferrite.codecs.sbe.BillingMode wire, final long read, final long write)
    {
        if (io.ferrite.codecs.sbe.BillingMode.PROVISIONED == wire)
        {
            return TableCapacity.provisioned(read, write);
        }
        return TableCapacity.ON_DEMAND;
    }

    /**
     * @param value an optional capacity field.
     * @return the value, or 0 for the null value.
     */
    public static long nullAsZero(final long value)
    {
        return Long.MIN_VALUE == value ? 0 : value;
    }

    static KeyType keyType(final AttributeType attributeType, final String name)
    {
        return keyType(attributeType.value(), name);
    }

    /**
     * @param attributeTypeRaw a key attribute's type as the wire carries it (any value, known to the enum or not).
     * @throws FerriteException ValidationException for a type that is not S, N or B, naming the value.
     */
    static KeyType keyType(final short attributeTypeRaw, final String name)
    {
        if (AttributeType.S.value() == attributeTypeRaw)
        {
            return KeyType.S;
        }
        if (AttributeType.N.value() == attributeTypeRaw)
        {
            return KeyType.N;
        }
        if (AttributeType.B.value() == attributeTypeRaw)
        {
            return KeyType.B;
        }
        throw FerriteException.validation("1 validation error detected: Value '" + attributeTypeName(attributeTypeRaw) +
            "' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy " +
            "enum value set: [B, N, S] (key attribute " + name + ")");
    }

    /**
     * @return the enum's name for a raw value it knows, else the number.
     */
    private static String attributeTypeName(final short raw)
    {
        for (final AttributeType type : AttributeType.values())
        {
            if (type.value() == raw && AttributeType.NULL_VAL != type)
            {
                return type.name();
            }
        }
        return Short.toString(raw);
    }

    /**
     * @param keyType a key attribute's type.
     * @return the wire's type for it.
     */
    public static AttributeType attributeType(final KeyType keyType)
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
