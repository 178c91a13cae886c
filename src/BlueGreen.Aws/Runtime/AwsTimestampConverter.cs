using System;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BlueGreen.Aws.Runtime;

/// <summary>AWS timestamps: epoch seconds (with fractions) in the JSON protocols, ISO 8601 in Query and
/// some REST members. Reads either; writes epoch seconds, as the JSON protocols expect.</summary>
public sealed class AwsTimestampConverter : JsonConverter<DateTime>
{
    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return Epoch.AddTicks((long)Math.Round(reader.GetDouble() * TimeSpan.TicksPerSecond));
        }

        var text = reader.GetString();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return Epoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        }

        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed;
        }

        throw new JsonException($"'{text}' is not a timestamp.");
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
