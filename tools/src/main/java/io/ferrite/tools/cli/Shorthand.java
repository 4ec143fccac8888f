package io.ferrite.tools.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The AWS CLI's shorthand syntax for structure, map and list parameters, parsed into the same tree as
 * {@link Json} (with every scalar a {@link String}; the parameter's shape gives it its type later):
 * <pre>
 *   AttributeName=pk,AttributeType=S          -> {"AttributeName": "pk", "AttributeType": "S"}
 *   pk={S=a},tags={SS=[x,y]}                 -> {"pk": {"S": "a"}, "tags": {"SS": ["x", "y"]}}
 *   Names=a,b,c,Other=d                      -> {"Names": ["a", "b", "c"], "Other": "d"}
 *   S="a,b"  S='a b'  S=a\,b                  -> quoting and escaping
 * </pre>
 * A value runs to the next comma (or closing bracket when nested); a comma followed by something that is not
 * {@code key=} continues a list. Threading: stateless.
 */
public final class Shorthand
{
    private Shorthand()
    {
    }

    /**
     * Shorthand that does not parse, with the AWS CLI's message and a caret under the position.
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
     * @param input shorthand text, e.g. {@code AttributeName=pk,AttributeType=S}.
     * @return the keys and values in order.
     * @throws ParseException naming what was expected and where.
     */
    public static Map<String, Object> parse(final String input) throws ParseException
    {
        final Parser parser = new Parser(input);
        final Map<String, Object> map = new LinkedHashMap<>();
        while (true)
        {
            parser.keyValue(map, 0);
            parser.skipWhitespace();
            if (parser.atEnd())
            {
                return map;
            }
            parser.expect(',');
        }
    }

    private static final class Parser
    {
        private final String input;
        private int pos;

        Parser(final String input)
        {
            this.input = input;
        }

        boolean atEnd()
        {
            return pos >= input.length();
        }

        char peek()
        {
            return input.charAt(pos);
        }

        void skipWhitespace()
        {
            while (!atEnd() && Character.isWhitespace(peek()))
            {
                pos++;
            }
        }

        ParseException error(final String expected)
        {
            final String received = atEnd() ? "EOF" : String.valueOf(peek());
            return new ParseException("Expected: '" + expected + "', received: '" + received + "' for input:\n" +
                input + "\n" + " ".repeat(pos) + "^");
        }

        void expect(final char c) throws ParseException
        {
            skipWhitespace();
            if (atEnd() || peek() != c)
            {
                throw error(String.valueOf(c));
            }
            pos++;
        }

        void keyValue(final Map<String, Object> into, final int depth) throws ParseException
        {
            skipWhitespace();
            final int start = pos;
            while (!atEnd() && peek() != '=' && peek() != ',' && peek() != '}' && peek() != ']')
            {
                pos++;
            }
            final String key = input.substring(start, pos).trim();
            if (key.isEmpty() || atEnd() || peek() != '=')
            {
                throw error("=");
            }
            pos++;
            into.remove(key);
            into.put(key, values(depth));
        }

        Object values(final int depth) throws ParseException
        {
            skipWhitespace();
            if (atEnd())
            {
                return "";
            }
            if (peek() == '[')
            {
                return explicitList(depth + 1);
            }
            if (peek() == '{')
            {
                return hash(depth + 1);
            }
            final String first = scalar(depth);
            if (atEnd() || peek() != ',' || startsKeyValue(pos + 1))
            {
                return first;
            }
            final List<Object> list = new ArrayList<>();
            list.add(first);
            while (!atEnd() && peek() == ',' && !startsKeyValue(pos + 1))
            {
                pos++;
                list.add(scalar(depth));
            }
            return list;
        }

        boolean startsKeyValue(final int from)
        {
            int i = from;
            while (i < input.length() && Character.isWhitespace(input.charAt(i)))
            {
                i++;
            }
            final int keyStart = i;
            while (i < input.length() && isKeyChar(input.charAt(i)))
            {
                i++;
            }
            if (i == keyStart)
            {
                return false;
            }
            while (i < input.length() && Character.isWhitespace(input.charAt(i)))
            {
                i++;
            }
            return i < input.length() && input.charAt(i) == '=';
        }

        static boolean isKeyChar(final char c)
        {
            return Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == '#' || c == '/' ||
                c == ':' || c == '@';
        }

        List<Object> explicitList(final int depth) throws ParseException
        {
            pos++;
            final List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (!atEnd() && peek() == ']')
            {
                pos++;
                return list;
            }
            while (true)
            {
                skipWhitespace();
                if (!atEnd() && peek() == '{')
                {
                    list.add(hash(depth + 1));
                }
                else if (!atEnd() && peek() == '[')
                {
                    list.add(explicitList(depth + 1));
                }
                else
                {
                    list.add(scalar(depth));
                }
                skipWhitespace();
                if (!atEnd() && peek() == ']')
                {
                    pos++;
                    return list;
                }
                expect(',');
            }
        }

        Map<String, Object> hash(final int depth) throws ParseException
        {
            pos++;
            final Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (!atEnd() && peek() == '}')
            {
                pos++;
                return map;
            }
            while (true)
            {
                keyValue(map, depth);
                skipWhitespace();
                if (!atEnd() && peek() == '}')
                {
                    pos++;
                    return map;
                }
                expect(',');
            }
        }

        String scalar(final int depth) throws ParseException
        {
            skipWhitespace();
            if (!atEnd() && (peek() == '"' || peek() == '\''))
            {
                return quoted(peek());
            }
            final StringBuilder sb = new StringBuilder();
            while (!atEnd())
            {
                final char c = peek();
                if (c == ',' || (depth > 0 && (c == '}' || c == ']')))
                {
                    break;
                }
                if (c == '\\' && pos + 1 < input.length())
                {
                    sb.append(input.charAt(pos + 1));
                    pos += 2;
                    continue;
                }
                sb.append(c);
                pos++;
            }
            return sb.toString().strip();
        }

        String quoted(final char quote) throws ParseException
        {
            pos++;
            final StringBuilder sb = new StringBuilder();
            while (!atEnd() && peek() != quote)
            {
                if (peek() == '\\' && pos + 1 < input.length() && input.charAt(pos + 1) == quote)
                {
                    pos++;
                }
                sb.append(peek());
                pos++;
            }
            if (atEnd())
            {
                throw error(String.valueOf(quote));
            }
            pos++;
            skipWhitespace();
            return sb.toString();
        }
    }
}
