package io.ferrite.tools.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The AWS CLI's {@code --cli-input-json}: a whole request as JSON with the API's member names
 * ({@code {"TableName": "t", "Item": {...}}}), turned back into the verb's options ({@code --table-name t
 * --item {...}}). Options given on the command line as well win over the JSON's.
 * <p>
 * Threading: stateless.
 */
final class CliInputJson
{
    private static final String OPTION = "--cli-input-json";

    private CliInputJson()
    {
    }

    /**
     * @param args    the verb's words.
     * @param options the options the verb accepts.
     * @return the words with {@code --cli-input-json} replaced by the options it stands for, placed first.
     */
    @SuppressWarnings("unchecked")
    static List<String> expand(final List<String> args, final List<CliArgs.Option> options)
    {
        final int at = args.indexOf(OPTION);
        if (at < 0)
        {
            return args;
        }
        if (at + 1 >= args.size())
        {
            throw ParamException.usage("argument " + OPTION + ": expected one argument");
        }
        final CliArgs.Value value = CliArgs.parse(List.of(OPTION, args.get(at + 1)),
            List.of(new CliArgs.Option("cli-input-json", CliArgs.Kind.STRUCTURE, false))).structure("cli-input-json");
        if (value.shorthand() || !(value.tree() instanceof Map))
        {
            throw ParamException.parameter("Error parsing parameter '--cli-input-json': expected a JSON object of " +
                "request members, e.g. {\"TableName\": \"t\"}");
        }
        final List<String> expanded = new ArrayList<>();
        for (final Map.Entry<String, Object> member : ((Map<String, Object>)value.tree()).entrySet())
        {
            final String name = optionName(member.getKey());
            final CliArgs.Option option = options.stream().filter(o -> o.name().equals(name)).findFirst().orElse(null);
            if (null == option)
            {
                throw ParamException.validation("Unknown parameter in input: \"" + member.getKey() + "\"");
            }
            final Object memberValue = member.getValue();
            if (option.kind() == CliArgs.Kind.BOOLEAN)
            {
                expanded.add(Boolean.TRUE.equals(memberValue) ? "--" + name : "--no-" + name);
            }
            else
            {
                expanded.add("--" + name);
                expanded.add(memberValue instanceof Map || memberValue instanceof List ? Json.compact(memberValue) :
                    String.valueOf(memberValue));
            }
        }
        final List<String> rest = new ArrayList<>(args.subList(0, at));
        rest.addAll(args.subList(at + 2, args.size()));
        expanded.addAll(rest);
        return expanded;
    }

    /**
     * @param member an API member name, e.g. {@code KeyConditionExpression} or {@code SSESpecification}.
     * @return its CLI option name, e.g. {@code key-condition-expression}, {@code sse-specification}.
     */
    static String optionName(final String member)
    {
        return member.replaceAll("([A-Z]+)([A-Z][a-z])", "$1-$2").replaceAll("([a-z0-9])([A-Z])", "$1-$2")
            .toLowerCase();
    }
}
