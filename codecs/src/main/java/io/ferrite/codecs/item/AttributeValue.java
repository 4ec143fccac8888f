package io.ferrite.codecs.item;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.number.DecimalCodec;
import org.agrona.concurrent.UnsafeBuffer;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable DynamoDB attribute value for the convenience API; allocating by design (the hot path uses
 * {@link ItemWriter} and {@link ItemFormat} over buffers instead).
 * <p>
 * Values are canonical on construction: numbers are validated and held as canonical text, map entries are
 * ordered by name bytes, sets are sorted in the item format's order with duplicates dropped. So
 * {@link #equals} compares sets as sets and numbers by numeric value.
 * <p>
 * Threading: immutable, safe to share between threads.
 */
public final class AttributeValue
{
    private static final AttributeValue NULL = new AttributeValue(ItemFormat.TYPE_NULL, Boolean.TRUE);
    private static final AttributeValue TRUE = new AttributeValue(ItemFormat.TYPE_BOOL, Boolean.TRUE);
    private static final AttributeValue FALSE = new AttributeValue(ItemFormat.TYPE_BOOL, Boolean.FALSE);
    private static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

    private final byte type;
    private final Object value;

    private AttributeValue(final byte type, final Object value)
    {
        this.type = type;
        this.value = value;
    }

    /**
     * @param value the string; may be empty.
     * @return an S value.
     */
    public static AttributeValue s(final String value)
    {
        return new AttributeValue(ItemFormat.TYPE_S, Objects.requireNonNull(value, "value"));
    }

    /**
     * @param decimalText DynamoDB number text.
     * @return an N value holding the canonical text.
     * @throws FerriteException if the text is not a number DynamoDB can store.
     */
    public static AttributeValue n(final String decimalText)
    {
        return new AttributeValue(ItemFormat.TYPE_N, canonicalNumber(decimalText));
    }

    /**
     * @param value the number.
     * @return an N value.
     */
    public static AttributeValue n(final long value)
    {
        return new AttributeValue(ItemFormat.TYPE_N, Long.toString(value));
    }

    /**
     * @param value the number.
     * @return an N value.
     * @throws FerriteException if the value is outside DynamoDB's range or precision.
     */
    public static AttributeValue n(final BigDecimal value)
    {
        return n(value.toString());
    }

    /**
     * @param value the bytes; copied.
     * @return a B value.
     */
    public static AttributeValue b(final byte[] value)
    {
        return new AttributeValue(ItemFormat.TYPE_B, value.clone());
    }

    /**
     * @param value the boolean.
     * @return a BOOL value.
     */
    public static AttributeValue bool(final boolean value)
    {
        return value ? TRUE : FALSE;
    }

    /**
     * @return the NULL value.
     */
    public static AttributeValue nul()
    {
        return NULL;
    }

    /**
     * @param entries the map; copied and ordered by name bytes.
     * @return an M value.
     */
    public static AttributeValue m(final Map<String, AttributeValue> entries)
    {
        return new AttributeValue(ItemFormat.TYPE_M, sortedByName(entries));
    }

    /**
     * @param elements the list; copied.
     * @return an L value.
     */
    public static AttributeValue l(final List<AttributeValue> elements)
    {
        for (final AttributeValue element : elements)
        {
            Objects.requireNonNull(element, "list element");
        }
        return new AttributeValue(ItemFormat.TYPE_L, List.copyOf(elements));
    }

    /**
     * @param elements the strings; sorted by UTF-8 bytes, duplicates dropped.
     * @return an SS value.
     * @throws FerriteException if there are no elements.
     */
    public static AttributeValue ss(final Collection<String> elements)
    {
        requireNonEmpty(elements, "string");
        final List<byte[]> utf8 = new ArrayList<>(elements.size());
        for (final String element : elements)
        {
            utf8.add(element.getBytes(StandardCharsets.UTF_8));
        }
        final List<String> sorted = new ArrayList<>();
        for (final byte[] bytes : sortedUnique(utf8))
        {
            sorted.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return new AttributeValue(ItemFormat.TYPE_SS, Collections.unmodifiableList(sorted));
    }

    /**
     * @param decimalTexts the numbers as text; canonicalised, sorted numerically, duplicates dropped.
     * @return an NS value.
     * @throws FerriteException if there are no elements or one is not a number DynamoDB can store.
     */
    public static AttributeValue ns(final Collection<String> decimalTexts)
    {
        requireNonEmpty(decimalTexts, "number");
        final List<byte[]> encodings = new ArrayList<>(decimalTexts.size());
        for (final String text : decimalTexts)
        {
            encodings.add(encodeNumber(text));
        }
        final List<String> sorted = new ArrayList<>();
        for (final byte[] encoding : sortedUnique(encodings))
        {
            sorted.add(DecimalCodec.toString(new UnsafeBuffer(encoding), 0, encoding.length));
        }
        return new AttributeValue(ItemFormat.TYPE_NS, Collections.unmodifiableList(sorted));
    }

    /**
     * @param elements the byte arrays; copied, sorted as unsigned bytes, duplicates dropped.
     * @return a BS value.
     * @throws FerriteException if there are no elements.
     */
    public static AttributeValue bs(final Collection<byte[]> elements)
    {
        requireNonEmpty(elements, "binary");
        final List<byte[]> copies = new ArrayList<>(elements.size());
        for (final byte[] element : elements)
        {
            copies.add(element.clone());
        }
        return new AttributeValue(ItemFormat.TYPE_BS, Collections.unmodifiableList(sortedUnique(copies)));
    }

    /**
     * @return the DynamoDB type as the item format's tag ({@code ItemFormat.TYPE_*}), which is also the
     * value of the SBE {@code AttributeType} enum.
     */
    public byte type()
    {
        return type;
    }

    /**
     * @return the string of an S value.
     */
    public String asString()
    {
        return (String)require(ItemFormat.TYPE_S);
    }

    /**
     * @return the canonical text of an N value.
     */
    public String asNumber()
    {
        return (String)require(ItemFormat.TYPE_N);
    }

    /**
     * @return the number of an N value.
     */
    public BigDecimal asBigDecimal()
    {
        return new BigDecimal((String)require(ItemFormat.TYPE_N));
    }

    /**
     * @return a copy of the bytes of a B value.
     */
    public byte[] asBytes()
    {
        return ((byte[])require(ItemFormat.TYPE_B)).clone();
    }

    /**
     * @return the boolean of a BOOL value.
     */
    public boolean asBoolean()
    {
        return (Boolean)require(ItemFormat.TYPE_BOOL);
    }

    /**
     * @return the entries of an M value, unmodifiable, in name-byte order.
     */
    @SuppressWarnings("unchecked")
    public Map<String, AttributeValue> asMap()
    {
        return (Map<String, AttributeValue>)require(ItemFormat.TYPE_M);
    }

    /**
     * @return the elements of an L value, unmodifiable.
     */
    @SuppressWarnings("unchecked")
    public List<AttributeValue> asList()
    {
        return (List<AttributeValue>)require(ItemFormat.TYPE_L);
    }

    /**
     * @return the elements of an SS value, unmodifiable, in UTF-8 byte order.
     */
    @SuppressWarnings("unchecked")
    public List<String> asStringSet()
    {
        return (List<String>)require(ItemFormat.TYPE_SS);
    }

    /**
     * @return the canonical texts of an NS value, unmodifiable, in numeric order.
     */
    @SuppressWarnings("unchecked")
    public List<String> asNumberSet()
    {
        return (List<String>)require(ItemFormat.TYPE_NS);
    }

    /**
     * @return copies of the elements of a BS value, in unsigned byte order.
     */
    @SuppressWarnings("unchecked")
    public List<byte[]> asBinarySet()
    {
        final List<byte[]> copies = new ArrayList<>();
        for (final byte[] element : (List<byte[]>)require(ItemFormat.TYPE_BS))
        {
            copies.add(element.clone());
        }
        return copies;
    }

    /**
     * {@inheritDoc}
     */
    @SuppressWarnings("unchecked")
    public boolean equals(final Object other)
    {
        if (this == other)
        {
            return true;
        }
        if (!(other instanceof AttributeValue) || ((AttributeValue)other).type != type)
        {
            return false;
        }
        final Object otherValue = ((AttributeValue)other).value;
        if (ItemFormat.TYPE_B == type)
        {
            return Arrays.equals((byte[])value, (byte[])otherValue);
        }
        if (ItemFormat.TYPE_BS == type)
        {
            final List<byte[]> a = (List<byte[]>)value;
            final List<byte[]> b = (List<byte[]>)otherValue;
            if (a.size() != b.size())
            {
                return false;
            }
            for (int i = 0; i < a.size(); i++)
            {
                if (!Arrays.equals(a.get(i), b.get(i)))
                {
                    return false;
                }
            }
            return true;
        }
        return value.equals(otherValue);
    }

    /**
     * {@inheritDoc}
     */
    @SuppressWarnings("unchecked")
    public int hashCode()
    {
        int hash = type;
        if (ItemFormat.TYPE_B == type)
        {
            return 31 * hash + Arrays.hashCode((byte[])value);
        }
        if (ItemFormat.TYPE_BS == type)
        {
            for (final byte[] element : (List<byte[]>)value)
            {
                hash = 31 * hash + Arrays.hashCode(element);
            }
            return hash;
        }
        return 31 * hash + value.hashCode();
    }

    /**
     * @return DynamoDB JSON, e.g. {@code {"S":"x"}} or {@code {"M":{"a":{"N":"1"}}}}.
     */
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        appendJson(sb);
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    void appendJson(final StringBuilder sb)
    {
        sb.append("{\"").append(ItemFormat.typeName(type)).append("\":");
        switch (type)
        {
            case ItemFormat.TYPE_S:
            case ItemFormat.TYPE_N:
                appendQuoted(sb, (String)value);
                break;
            case ItemFormat.TYPE_B:
                appendQuoted(sb, Base64.getEncoder().encodeToString((byte[])value));
                break;
            case ItemFormat.TYPE_BOOL:
            case ItemFormat.TYPE_NULL:
                sb.append(value);
                break;
            case ItemFormat.TYPE_M:
            {
                sb.append('{');
                boolean first = true;
                for (final Map.Entry<String, AttributeValue> entry : ((Map<String, AttributeValue>)value).entrySet())
                {
                    sb.append(first ? "" : ",");
                    appendQuoted(sb, entry.getKey());
                    sb.append(':');
                    entry.getValue().appendJson(sb);
                    first = false;
                }
                sb.append('}');
                break;
            }
            case ItemFormat.TYPE_L:
            {
                sb.append('[');
                boolean first = true;
                for (final AttributeValue element : (List<AttributeValue>)value)
                {
                    sb.append(first ? "" : ",");
                    element.appendJson(sb);
                    first = false;
                }
                sb.append(']');
                break;
            }
            default:
            {
                sb.append('[');
                boolean first = true;
                for (final Object element : (List<Object>)value)
                {
                    sb.append(first ? "" : ",");
                    appendQuoted(sb, element instanceof byte[] ?
                        Base64.getEncoder().encodeToString((byte[])element) : (String)element);
                    first = false;
                }
                sb.append(']');
            }
        }
        sb.append('}');
    }

    Object rawValue()
    {
        return value;
    }

    private Object require(final byte expected)
    {
        if (type != expected)
        {
            throw new IllegalStateException("attribute value is " + ItemFormat.typeName(type) + ", not " +
                ItemFormat.typeName(expected));
        }
        return value;
    }

    private static void appendQuoted(final StringBuilder sb, final String text)
    {
        sb.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if ('"' == c || '\\' == c)
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    private static String canonicalNumber(final String text)
    {
        final byte[] encoding = encodeNumber(text);
        return DecimalCodec.toString(new UnsafeBuffer(encoding), 0, encoding.length);
    }

    private static byte[] encodeNumber(final String text)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[DecimalCodec.MAX_ENCODED_LENGTH]);
        final int length = DecimalCodec.encode(text, 0, text.length(), buffer, 0);
        return Arrays.copyOf(buffer.byteArray(), length);
    }

    private static Map<String, AttributeValue> sortedByName(final Map<String, AttributeValue> entries)
    {
        final List<String> names = new ArrayList<>(entries.keySet());
        names.sort((a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        final Map<String, AttributeValue> sorted = new LinkedHashMap<>();
        for (final String name : names)
        {
            sorted.put(name, Objects.requireNonNull(entries.get(name), name));
        }
        return Collections.unmodifiableMap(sorted);
    }

    private static List<byte[]> sortedUnique(final List<byte[]> elements)
    {
        elements.sort(UNSIGNED);
        final List<byte[]> unique = new ArrayList<>(elements.size());
        for (final byte[] element : elements)
        {
            if (unique.isEmpty() || !Arrays.equals(unique.get(unique.size() - 1), element))
            {
                unique.add(element);
            }
        }
        return unique;
    }

    private static void requireNonEmpty(final Collection<?> elements, final String setType)
    {
        if (elements.isEmpty())
        {
            throw FerriteException.validation("One or more parameter values were invalid: An " + setType +
                " set  may not be empty");
        }
    }
}
