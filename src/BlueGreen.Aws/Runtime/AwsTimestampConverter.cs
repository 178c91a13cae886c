using System;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BlueGreen.Aws.Runtime;

/// <summary>AWS timestamps: epoch seconds (with fractions) in the JSON protocols, ISO 8601 in Query and
/// some REST members. Reads any of them (epoch seconds also as a string, and RFC 822 dates), as botocore
/// does; writes epoch seconds, as the JSON protocols expect.</summary>
public sealed class AwsTimestampConverter : JsonConverter<DateTime>
{
    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return FromEpoch(reader.GetDouble());
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw AwsScalars.NotA("timestamp", reader.TokenType);
        }

        var text = reader.GetString()!.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return FromEpoch(seconds);
        }

        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed;
        }

        throw new JsonException($"\"{AwsScalars.Shorten(text)}\" is not a timestamp.");
    }

    private static DateTime FromEpoch(double seconds)
    {
        // Year 1 to 9999, as DateTime can hold.
        if (double.IsNaN(seconds) || seconds < -62135596800d || seconds > 253402300799d)
        {
            throw new JsonException($"{seconds.ToString(CultureInfo.InvariantCulture)} seconds since 1970 is not a timestamp.");
        }

        return Epoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        if (writer is null)
        {
            throw new ArgumentNullException(nameof(writer));
        }

        // Unspecified kind (PowerShell's [datetime]'2026-11-26 10:00') means local time, as in the AWS SDK.
        var utc = value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime();
        writer.WriteNumberValue(Math.Round((utc - Epoch).TotalSeconds, 3));
    }
}
