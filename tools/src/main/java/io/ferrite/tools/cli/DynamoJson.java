package io.ferrite.tools.cli;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.AttributeValue;
import io.ferrite.codecs.item.ItemFormat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DynamoDB JSON ({@code {"pk": {"S": "a"}, "n": {"N": "1"}}}) to and from {@link AttributeValue}: all ten
 * types, nested M and L, B and BS as base64, sets.
 * <p>
 * Shape errors (wrong JSON type, unknown type key) are {@link ParamException}s worded as botocore's
 * client-side validation; content errors that DynamoDB itself rejects (an empty value, two types in one
 * value, a duplicate in a set, {@code NULL: false}, a bad number) are ValidationException
 * {@link FerriteException}s worded as DynamoDB's. Values from shorthand arrive as strings and are coerced
 * where the shape says (BOOL, NULL; a single set element becomes a one-element set).
 * <p>
 * Threading: stateless.
 */
public final class DynamoJson
{
    private static final String TYPES = "S, N, B, SS, NS, BS, M, L, NULL, BOOL";

    private DynamoJson()
    {
    }

    /**
     * @param node      a map of attribute name to DynamoDB JSON value.
     * @param path      the parameter's name for messages, e.g. {@code Item}.
     * @param shorthand true when the node came from shorthand syntax (scalars are strings).
     * @return the item.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, AttributeValue> toItem(final Object node, final String path, final boolean shorthand)
    {
        final Map<String, Object> map = requireMap(node, path);
        final Map<String, AttributeValue> item = new LinkedHashMap<>();
        for (final Map.Entry<String, Object> entry : map.entrySet())
        {
            item.put(entry.getKey(), toValue(entry.getValue(), path + "." + entry.getKey(), shorthand));
        }
        return item;
    }

    /**
     * @param node      one DynamoDB JSON value, e.g. {@code {"N": "1"}}.
     * @param path      where it is, for messages.
     * @param shorthand true when the node came from shorthand syntax.
     * @return the value.
     */
    @SuppressWarnings("unchecked")
    public static AttributeValue toValue(final Object node, final String path, final boolean shorthand)
    {
        final Map<String, Object> map = requireMap(node, path);
        for (final String key : map.keySet())
        {
            if (!isTypeKey(key))
            {
                throw ParamException.validation("Unknown parameter in " + path + ": \"" + key + "\", must be one of: " +
                    TYPES);
            }
        }
        if (map.isEmpty())
        {
            throw FerriteException.validation("Supplied AttributeValue is empty, must contain exactly one of the " +
                "supported datatypes");
        }
        if (map.size() > 1)
        {
            throw FerriteException.validation("Supplied AttributeValue has more than one datatypes set, must " +
                "contain exactly one of the supported datatypes");
        }
        final Map.Entry<String, Object> entry = map.entrySet().iterator().next();
        final String type = entry.getKey();
        final Object value = entry.getValue();
        final String at = path + "." + type;
        switch (type)
        {
            case "S":
                return AttributeValue.s(requireString(value, at));
            case "N":
                return AttributeValue.n(requireString(value, at));
            case "B":
                return AttributeValue.b(base64(requireString(value, at), at));
            case "BOOL":
                return AttributeValue.bool(requireBoolean(value, at, shorthand));
            case "NULL":
                if (!requireBoolean(value, at, shorthand))
                {
                    throw FerriteException.validation("One or more parameter values were invalid: Null attribute " +
                        "value types must have the value of true");
                }
                return AttributeValue.nul();
            case "M":
                return AttributeValue.m(toItem(value, at, shorthand));
            case "L":
            {
                final List<AttributeValue> elements = new ArrayList<>();
                final List<Object> list = requireList(value, at, shorthand);
                for (int i = 0; i < list.size(); i++)
                {
                    elements.add(toValue(list.get(i), at + "[" + i + "]", shorthand));
                }
                return AttributeValue.l(elements);
            }
            case "SS":
                return AttributeValue.ss(uniqueStrings(value, at, shorthand));
            case "NS":
                return AttributeValue.ns(uniqueStrings(value, at, shorthand));
            default:
            {
                final List<String> texts = uniqueStrings(value, at, shorthand);
                final List<byte[]> bytes = new ArrayList<>(texts.size());
                for (int i = 0; i < texts.size(); i++)
                {
                    bytes.add(base64(texts.get(i), at + "[" + i + "]"));
                }
                return AttributeValue.bs(bytes);
            }
        }
    }

    /**
     * @param item an item (or key, or returned attributes).
     * @return its DynamoDB JSON tree, attributes in the item's order.
     */
    public static Map<String, Object> fromItem(final Map<String, AttributeValue> item)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        item.forEach((name, value) -> map.put(name, fromValue(value)));
        return map;
    }

    /**
     * @param items items.
     * @return their DynamoDB JSON trees.
     */
    public static List<Object> fromItems(final List<Map<String, AttributeValue>> items)
    {
        final List<Object> list = new ArrayList<>(items.size());
        items.forEach(item -> list.add(fromItem(item)));
        return list;
    }

    /**
     * @param value a value.
     * @return its DynamoDB JSON tree, e.g. {@code {"N": "1"}}.
     */
    public static Map<String, Object> fromValue(final AttributeValue value)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        final byte type = value.type();
        final String name = ItemFormat.typeName(type);
        switch (type)
        {
            case ItemFormat.TYPE_S -> map.put(name, value.asString());
            case ItemFormat.TYPE_N -> map.put(name, value.asNumber());
            case ItemFormat.TYPE_B -> map.put(name, Base64.getEncoder().encodeToString(value.asBytes()));
            case ItemFormat.TYPE_BOOL -> map.put(name, value.asBoolean());
            case ItemFormat.TYPE_NULL -> map.put(name, Boolean.TRUE);
            case ItemFormat.TYPE_M -> map.put(name, fromItem(value.asMap()));
            case ItemFormat.TYPE_L ->
            {
                final List<Object> list = new ArrayList<>();
                value.asList().forEach(element -> list.add(fromValue(element)));
                map.put(name, list);
            }
            case ItemFormat.TYPE_SS -> map.put(name, new ArrayList<Object>(value.asStringSet()));
            case ItemFormat.TYPE_NS -> map.put(name, new ArrayList<Object>(value.asNumberSet()));
            case ItemFormat.TYPE_BS ->
            {
                final List<Object> list = new ArrayList<>();
                value.asBinarySet().forEach(bytes -> list.add(Base64.getEncoder().encodeToString(bytes)));
                map.put(name, list);
            }
            default -> throw new IllegalStateException("unknown attribute type tag " + type);
        }
        return map;
    }

    /**
     * @param value a JSON tree node.
     * @return Python's name for its type, as botocore's messages print it.
     */
    static String pythonType(final Object value)
    {
        final String name;
        if (null == value)
        {
            name = "NoneType";
        }
        else if (value instanceof String)
        {
            name = "str";
        }
        else if (value instanceof BigInteger)
        {
            name = "int";
        }
        else if (value instanceof BigDecimal)
        {
            name = "float";
        }
        else if (value instanceof Boolean)
        {
            name = "bool";
        }
        else if (value instanceof List)
        {
            name = "list";
        }
        else
        {
            name = "dict";
        }
        return "<class '" + name + "'>";
    }

    static ParamException invalidType(final String path, final Object value, final String validTypes)
    {
        return ParamException.validation("Invalid type for parameter " + path + ", value: " + pythonStr(value) +
            ", type: " + pythonType(value) + ", valid types: " + validTypes);
    }

    /**
     * @param value a parsed JSON value.
     * @return it as botocore prints it in a validation error (Python's {@code str()}): a string bare, the rest as
     * Python's {@code repr()} ({@code True}, {@code None}, {@code {'S': 'a'}}, {@code ['x', 1]}), not as JSON.
     */
    static String pythonStr(final Object value)
    {
        return value instanceof String ? (String)value : pythonRepr(value);
    }

    private static String pythonRepr(final Object value)
    {
        if (null == value)
        {
            return "None";
        }
        if (value instanceof Boolean)
        {
            return (Boolean)value ? "True" : "False";
        }
        if (value instanceof String)
        {
            // Python quotes with ' unless the text holds a ' and no "
            final String text = ((String)value).replace("\\", "\\\\");
            return text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' + text + '"' :
                "'" + text.replace("'", "\\'") + "'";
        }
        if (value instanceof Map)
        {
            final StringBuilder text = new StringBuilder("{");
            for (final Map.Entry<?, ?> entry : ((Map<?, ?>)value).entrySet())
            {
                if (text.length() > 1)
                {
                    text.append(", ");
                }
                text.append(pythonRepr(entry.getKey())).append(": ").append(pythonRepr(entry.getValue()));
            }
            return text.append('}').toString();
        }
        if (value instanceof List)
        {
            final StringBuilder text = new StringBuilder("[");
            for (final Object element : (List<?>)value)
            {
                if (text.length() > 1)
                {
                    text.append(", ");
                }
                text.append(pythonRepr(element));
            }
            return text.append(']').toString();
        }
        return Json.compact(value);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> requireMap(final Object node, final String path)
    {
        if (!(node instanceof Map))
        {
            throw invalidType(path, node, "<class 'dict'>");
        }
        return (Map<String, Object>)node;
    }

    static String requireString(final Object node, final String path)
    {
        if (!(node instanceof String))
        {
            throw invalidType(path, node, "<class 'str'>");
        }
        return (String)node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> requireList(final Object node, final String path, final boolean shorthand)
    {
        if (node instanceof List)
        {
            return (List<Object>)node;
        }
        if (shorthand && (node instanceof String || node instanceof Map))
        {
            final List<Object> single = new ArrayList<>();
            single.add(node);
            return single;
        }
        throw invalidType(path, node, "<class 'list'>, <class 'tuple'>");
    }

    static boolean requireBoolean(final Object node, final String path, final boolean shorthand)
    {
        if (node instanceof Boolean)
        {
            return (Boolean)node;
        }
        if (shorthand && node instanceof String)
        {
            final String text = ((String)node).toLowerCase();
            if ("true".equals(text) || "false".equals(text))
            {
                return "true".equals(text);
            }
        }
        throw invalidType(path, node, "<class 'bool'>");
    }

    private static List<String> uniqueStrings(final Object node, final String path, final boolean shorthand)
    {
        final List<Object> list = requireList(node, path, shorthand);
        final List<String> texts = new ArrayList<>(list.size());
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++)
        {
            final String text = requireString(list.get(i), path + "[" + i + "]");
            if (!seen.add(text))
            {
                throw FerriteException.validation("One or more parameter values were invalid: Input collection " +
                    list + " contains duplicates.");
            }
            texts.add(text);
        }
        return texts;
    }

    private static byte[] base64(final String text, final String path)
    {
        try
        {
            return Base64.getDecoder().decode(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw ParamException.parameter("Invalid base64 for parameter " + path + ": \"" + text + "\" (" +
                ex.getMessage() + ")");
        }
    }

    private static boolean isTypeKey(final String key)
    {
        return switch (key)
        {
            case "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL" -> true;
            default -> false;
        };
    }
}
