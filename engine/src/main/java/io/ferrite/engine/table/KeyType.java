package io.ferrite.engine.table;

import io.ferrite.codecs.item.ItemFormat;

/**
 * The types a key attribute may have, as DynamoDB's {@code ScalarAttributeType}: string, number, binary.
 */
public enum KeyType
{
    /** String: ordered by UTF-8 bytes. */
    S(ItemFormat.TYPE_S),
    /** Number: ordered numerically. */
    N(ItemFormat.TYPE_N),
    /** Binary: ordered by unsigned bytes. */
    B(ItemFormat.TYPE_B);

    /** {@code values()} clones its array on every call; the query path looks key types up per request. */
    private static final KeyType[] VALUES = values();

    private final byte tag;

    KeyType(final byte tag)
    {
        this.tag = tag;
    }

    /**
     * @return the item-format type tag of values of this type.
     */
    public byte tag()
    {
        return tag;
    }

    /**
     * @param tag an item-format type tag.
     * @return the key type with that tag, or null if the tag's type cannot be a key.
     */
    public static KeyType fromTag(final byte tag)
    {
        for (final KeyType type : VALUES)
        {
            if (type.tag == tag)
            {
                return type;
            }
        }
        return null;
    }
}
