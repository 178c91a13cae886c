using System;
using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BlueGreen.Aws.Runtime;

// Services and their emulators do not always send a scalar in the JSON type the model names (moto sends ECS
// DescribeTasks containers[].cpu, a string, as a number). botocore does not type-check scalars, so such answers
// are read there; these converters read the same harmless deviations into the modelled .NET type, and write
// exactly the modelled type. Anything that is not a scalar where a scalar is modelled stays an error.

/// <summary>A string member: a JSON string, or a number or boolean read as its text.</summary>
public sealed class AwsStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => AwsScalars.RawText(ref reader),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => null,
        _ => throw AwsScalars.NotA("string", reader.TokenType),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        (writer ?? throw new ArgumentNullException(nameof(writer))).WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString()!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        (writer ?? throw new ArgumentNullException(nameof(writer))).WritePropertyName(value);
}

/// <summary>An integer member: a JSON number with no fraction, or a string holding one.</summary>
public sealed class AwsInt32Converter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = AwsScalars.ReadWhole(ref reader, "integer");
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new JsonException($"{value} does not fit an integer.");
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) =>
        (writer ?? throw new ArgumentNullException(nameof(writer))).WriteNumberValue(value);
}

/// <summary>A long member: a JSON number with no fraction, or a string holding one.</summary>
public sealed class AwsInt64Converter : JsonConverter<long>
{
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => AwsScalars.ReadWhole(ref reader, "long");

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) =>
        (writer ?? throw new ArgumentNullException(nameof(writer))).WriteNumberValue(value);
}

/// <summary>A double member: a JSON number, or a string holding one (also "NaN", "Infinity", "-Infinity", as the JSON protocols send them).</summary>
public sealed class AwsDoubleConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => AwsScalars.ReadDouble(ref reader, "double");

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => AwsScalars.WriteDouble(writer, value);
}

/// <summary>A float member, read and written as <see cref="AwsDoubleConverter"/> does.</summary>
public sealed class AwsSingleConverter : JsonConverter<float>
{
    public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => (float)AwsScalars.ReadDouble(ref reader, "float");

    public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options) => AwsScalars.WriteDouble(writer, value);
}

/// <summary>A boolean member: JSON true/false, or the strings "true"/"false".</summary>
public sealed class AwsBooleanConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.String:
                var text = reader.GetString()!.Trim();
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }

                throw new JsonException($"\"{AwsScalars.Shorten(text)}\" is not a boolean.");
            default:
                throw AwsScalars.NotA("boolean", reader.TokenType);
        }
    }

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) =>
        (writer ?? throw new ArgumentNullException(nameof(writer))).WriteBooleanValue(value);
}

internal static class AwsScalars
{
    public static string RawText(ref Utf8JsonReader reader)
    {
        var bytes = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    public static long ReadWhole(ref Utf8JsonReader reader, string kind)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var whole))
                {
                    return whole;
                }

                // 5.0 or 5e2: a whole number written another way.
                return Whole(reader.GetDouble(), RawText(ref reader), kind);
            case JsonTokenType.String:
                var text = reader.GetString()!.Trim();
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out whole))
                {
                    return whole;
                }

                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return Whole(number, text, kind);
                }

                throw new JsonException($"\"{Shorten(text)}\" is not an {kind}.");
            default:
                throw NotA(kind, reader.TokenType);
        }
    }

    public static double ReadDouble(ref Utf8JsonReader reader, string kind)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.GetDouble();
            case JsonTokenType.String:
                var text = reader.GetString()!.Trim();
                switch (text)
                {
                    case "NaN":
                        return double.NaN;
                    case "Infinity":
                        return double.PositiveInfinity;
                    case "-Infinity":
                        return double.NegativeInfinity;
                }

                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !double.IsInfinity(number) && !double.IsNaN(number))
                {
                    return number;
                }

                throw new JsonException($"\"{Shorten(text)}\" is not a {kind}.");
            default:
                throw NotA(kind, reader.TokenType);
        }
    }

    public static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (writer is null)
        {
            throw new ArgumentNullException(nameof(writer));
        }

        if (double.IsNaN(value))
        {
            writer.WriteStringValue("NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            writer.WriteStringValue("Infinity");
        }
        else if (double.IsNegativeInfinity(value))
        {
            writer.WriteStringValue("-Infinity");
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }

    public static JsonException NotA(string kind, JsonTokenType token) =>
        new($"A JSON {Describe(token)} is not a{(kind[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "n" : string.Empty)} {kind}.");

    public static string Shorten(string text) => text.Length > 40 ? text.Substring(0, 40) + "..." : text;

    private static long Whole(double number, string text, string kind)
    {
        if (Math.Floor(number) != number || number < long.MinValue || number > long.MaxValue)
        {
            throw new JsonException($"{Shorten(text)} is not an {kind}.");
        }

        return (long)number;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.Null => "null",
        JsonTokenType.Number => "number",
        JsonTokenType.String => "string",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        _ => token.ToString(),
    };
}
