package io.ferrite.tools.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CLI's JSON: a strict parser into a plain tree and two writers that print as the AWS CLI (Python's
 * {@code json}) does.
 * <p>
 * Tree: {@code Map<String, Object>} (insertion-ordered), {@code List<Object>}, {@link String},
 * {@link BigInteger} for integers, {@link BigDecimal} for other numbers (exact: never a double),
 * {@link Boolean}, and Java {@code null} for JSON null. A repeated object key keeps its last value, as in
 * Python.
 * <p>
 * Threading: stateless static methods; a parse runs on the caller's thread.
 */
public final class Json
{
    private Json()
    {
    }

    /**
     * A JSON text that does not parse, with a message in Python's words ("Expecting value: line 1 column 1
     * (char 0)"), as the AWS CLI reports it.
     */
    public static final class ParseException extends Exception
    {
        private static final long serialVersionUID = 1L;

        ParseException(final String message)
        {
            super(message, null, false, false);
        }
    }

    /**
     * @param text JSON text.
     * @return the tree.
     * @throws ParseException naming the problem and where it is.
     */
    public static Object parse(final String text) throws ParseException
    {
        final Parser parser = new Parser(text);
        parser.skipWhitespace();
        final Object value = parser.value();
        parser.skipWhitespace();
        if (parser.pos < text.length())
        {
            throw parser.error("Extra data", parser.pos);
        }
        return value;
    }

    /**
     * Pretty JSON as the AWS CLI prints a response: four-space indent, {@code ": "} after keys, non-ASCII
     * characters as they are, no trailing newline.
     *
     * @param value a tree.
     * @return the text.
     */
    public static String pretty(final Object value)
    {
        final StringBuilder out = new StringBuilder();
        writePretty(out, value, 0);
        return out.toString();
    }

    /**
     * One-line JSON as Python's {@code json.dumps} with default separators ({@code ", "} and {@code ": "}).
     *
     * @param value a tree.
     * @return the text.
     */
    public static String compact(final Object value)
    {
        final StringBuilder out = new StringBuilder();
        writeCompact(out, value);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static void writePretty(final StringBuilder out, final Object value, final int depth)
    {
        if (value instanceof Map)
        {
            final Map<String, Object> map = (Map<String, Object>)value;
            if (map.isEmpty())
            {
                out.append("{}");
                return;
            }
            out.append('{');
            final Iterator<Map.Entry<String, Object>> entries = map.entrySet().iterator();
            while (entries.hasNext())
            {
                final Map.Entry<String, Object> entry = entries.next();
                newline(out, depth + 1);
                writeString(out, entry.getKey());
                out.append(": ");
                writePretty(out, entry.getValue(), depth + 1);
                if (entries.hasNext())
                {
                    out.append(',');
                }
            }
            newline(out, depth);
            out.append('}');
        }
        else if (value instanceof List)
        {
            final List<Object> list = (List<Object>)value;
            if (list.isEmpty())
            {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < list.size(); i++)
            {
                newline(out, depth + 1);
                writePretty(out, list.get(i), depth + 1);
                if (i + 1 < list.size())
                {
                    out.append(',');
                }
            }
            newline(out, depth);
            out.append(']');
        }
        else
        {
            writeScalar(out, value);
        }
    }

    @SuppressWarnings("unchecked")
    private static void writeCompact(final StringBuilder out, final Object value)
    {
        if (value instanceof Map)
        {
            out.append('{');
            String separator = "";
            for (final Map.Entry<String, Object> entry : ((Map<String, Object>)value).entrySet())
            {
                out.append(separator);
                writeString(out, entry.getKey());
                out.append(": ");
                writeCompact(out, entry.getValue());
                separator = ", ";
            }
            out.append('}');
        }
        else if (value instanceof List)
        {
            out.append('[');
            String separator = "";
            for (final Object element : (List<Object>)value)
            {
                out.append(separator);
                writeCompact(out, element);
                separator = ", ";
            }
            out.append(']');
        }
        else
        {
            writeScalar(out, value);
        }
    }

    private static void newline(final StringBuilder out, final int depth)
    {
        out.append('\n');
        for (int i = 0; i < depth; i++)
        {
            out.append("    ");
        }
    }

    private static void writeScalar(final StringBuilder out, final Object value)
    {
        if (null == value)
        {
            out.append("null");
        }
        else if (value instanceof String)
        {
            writeString(out, (String)value);
        }
        else if (value instanceof BigDecimal)
        {
            out.append(((BigDecimal)value).toPlainString());
        }
        else if (value instanceof Number || value instanceof Boolean)
        {
            out.append(value);
        }
        else
        {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    private static void writeString(final StringBuilder out, final String text)
    {
        out.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default ->
                {
                    if (c < 0x20 || c == 0x7f)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static final class Parser
    {
        private final String text;
        private int pos;

        Parser(final String text)
        {
            this.text = text;
        }

        ParseException error(final String what, final int at)
        {
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < at && i < text.length(); i++)
            {
                if (text.charAt(i) == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }
            return new ParseException(what + ": line " + line + " column " + (at - lineStart + 1) + " (char " + at + ")");
        }

        void skipWhitespace()
        {
            while (pos < text.length())
            {
                final char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                {
                    return;
                }
                pos++;
            }
        }

        Object value() throws ParseException
        {
            if (pos >= text.length())
            {
                throw error("Expecting value", pos);
            }
            final char c = text.charAt(pos);
            if (c == '{')
            {
                return object();
            }
            if (c == '[')
            {
                return array();
            }
            if (c == '"')
            {
                return string();
            }
            if (c == '-' || (c >= '0' && c <= '9'))
            {
                return number();
            }
            if (text.startsWith("true", pos))
            {
                pos += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("false", pos))
            {
                pos += 5;
                return Boolean.FALSE;
            }
            if (text.startsWith("null", pos))
            {
                pos += 4;
                return null;
            }
            throw error("Expecting value", pos);
        }

        Map<String, Object> object() throws ParseException
        {
            final Map<String, Object> map = new LinkedHashMap<>();
            pos++;
            skipWhitespace();
            if (pos < text.length() && text.charAt(pos) == '}')
            {
                pos++;
                return map;
            }
            while (true)
            {
                if (pos >= text.length() || text.charAt(pos) != '"')
                {
                    throw error("Expecting property name enclosed in double quotes", pos);
                }
                final String key = string();
                skipWhitespace();
                if (pos >= text.length() || text.charAt(pos) != ':')
                {
                    throw error("Expecting ':' delimiter", pos);
                }
                pos++;
                skipWhitespace();
                map.remove(key);
                map.put(key, value());
                skipWhitespace();
                if (pos < text.length() && text.charAt(pos) == '}')
                {
                    pos++;
                    return map;
                }
                if (pos >= text.length() || text.charAt(pos) != ',')
                {
                    throw error("Expecting ',' delimiter", pos);
                }
                pos++;
                skipWhitespace();
            }
        }

        List<Object> array() throws ParseException
        {
            final List<Object> list = new ArrayList<>();
            pos++;
            skipWhitespace();
            if (pos < text.length() && text.charAt(pos) == ']')
            {
                pos++;
                return list;
            }
            while (true)
            {
                list.add(value());
                skipWhitespace();
                if (pos < text.length() && text.charAt(pos) == ']')
                {
                    pos++;
                    return list;
                }
                if (pos >= text.length() || text.charAt(pos) != ',')
                {
                    throw error("Expecting ',' delimiter", pos);
                }
                pos++;
                skipWhitespace();
            }
        }

        String string() throws ParseException
        {
            final int start = pos;
            pos++;
            final StringBuilder sb = new StringBuilder();
            while (true)
            {
                if (pos >= text.length())
                {
                    throw error("Unterminated string starting at", start);
                }
                final char c = text.charAt(pos);
                if (c == '"')
                {
                    pos++;
                    return sb.toString();
                }
                if (c < 0x20)
                {
                    throw error("Invalid control character at", pos);
                }
                if (c == '\\')
                {
                    if (pos + 1 >= text.length())
                    {
                        throw error("Unterminated string starting at", start);
                    }
                    final char escaped = text.charAt(pos + 1);
                    switch (escaped)
                    {
                        case '"' -> sb.append('"');
                        case '\\' -> sb.append('\\');
                        case '/' -> sb.append('/');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'u' ->
                        {
                            if (pos + 6 > text.length() || !isHex(text, pos + 2, pos + 6))
                            {
                                throw error("Invalid \\uXXXX escape", pos + 1);
                            }
                            sb.append((char)Integer.parseInt(text.substring(pos + 2, pos + 6), 16));
                            pos += 4;
                        }
                        default -> throw error("Invalid \\escape", pos);
                    }
                    pos += 2;
                }
                else
                {
                    sb.append(c);
                    pos++;
                }
            }
        }

        Object number() throws ParseException
        {
            final int start = pos;
            if (text.charAt(pos) == '-')
            {
                pos++;
            }
            final int digitsStart = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos)))
            {
                pos++;
            }
            if (pos == digitsStart)
            {
                throw error("Expecting value", start);
            }
            boolean integer = true;
            if (pos < text.length() && text.charAt(pos) == '.')
            {
                final int fraction = ++pos;
                while (pos < text.length() && Character.isDigit(text.charAt(pos)))
                {
                    pos++;
                }
                if (pos == fraction)
                {
                    pos = fraction - 1;
                }
                integer = false;
            }
            if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E'))
            {
                final int mark = pos;
                pos++;
                if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-'))
                {
                    pos++;
                }
                final int exponent = pos;
                while (pos < text.length() && Character.isDigit(text.charAt(pos)))
                {
                    pos++;
                }
                if (pos == exponent)
                {
                    pos = mark;
                }
                else
                {
                    integer = false;
                }
            }
            final String literal = text.substring(start, pos);
            return integer ? new BigInteger(literal) : new BigDecimal(literal);
        }

        private static boolean isHex(final String text, final int from, final int to)
        {
            for (int i = from; i < to; i++)
            {
                if (Character.digit(text.charAt(i), 16) < 0)
                {
                    return false;
                }
            }
            return true;
        }
    }
}
