using System.Buffers;
using System.IO.Compression;
using BlueGreen.Sandbox.Wire;
using Microsoft.AspNetCore.Http;

namespace BlueGreen.Sandbox.Hosting;

/// <summary>
/// How large a request body may be, per service and operation, as AWS's front ends allow: the body is
/// read up to that many bytes and no further, its signature is checked over the bytes as sent, and only
/// then is a gzip body inflated, again up to a limit. Nothing is sized from what a client claims.
/// </summary>
internal sealed record RequestLimit(long MaxBytes, string Operation)
{
    /// <summary>Lambda CreateFunction and UpdateFunctionCode: a 50 MB zip, base64 in JSON (AWS's own figure).</summary>
    public const long LambdaCode = 69_905_067;

    /// <summary>Lambda Invoke (synchronous payload) and its other JSON operations.</summary>
    public const long LambdaPayload = 6 * 1024 * 1024;

    /// <summary>ECS, CodeDeploy, ELBv2 and CloudWatch (PutMetricData takes 1 MB): generous for every operation of theirs.</summary>
    public const long Api = 1024 * 1024;

    /// <summary>What a gzip body (botocore compresses PutMetricData) may inflate to.</summary>
    public const long Inflated = 8 * 1024 * 1024;

    /// <summary>
    /// The most Kestrel takes of one request body at all: nothing past an operation's limit is kept, but up to
    /// this much is read and thrown away so the client gets its 413; a larger body has its connection closed.
    /// </summary>
    public const long Drained = 128 * 1024 * 1024;

    /// <summary>The limit for a request, chosen from its method, path and headers only (the body is not read yet).</summary>
    public static RequestLimit For(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        if (Services.LambdaApi.IsLambdaPath(path))
        {
            var operation = Services.LambdaApi.Operation(request.Method, path) ?? "Unknown";
            return new RequestLimit(operation is "CreateFunction" or "UpdateFunctionCode" ? LambdaCode : LambdaPayload, operation);
        }

        var target = request.Headers["X-Amz-Target"].ToString();
        var dot = target.LastIndexOf('.');
        return new RequestLimit(Api, dot > 0 ? target[(dot + 1)..] : "Unknown");
    }

    /// <summary>The error AWS answers an oversize request with, in the protocol's own words.</summary>
    public static AwsException TooLarge(Protocol protocol, long limit, string operation, bool inflated = false)
    {
        var inflatedNote = inflated ? " once its gzip encoding is undone" : string.Empty;
        return protocol switch
        {
            // CloudWatch's Query code (its JSON protocol keeps the Query codes) and ELBv2's.
            Protocol.Query or Protocol.Json10 => new AwsException("RequestEntityTooLarge", $"Request size exceeded {limit} bytes{inflatedNote}", 413),

            // Lambda's words, e.g. "Request must be smaller than 6291456 bytes for the InvokeFunction operation"; ECS and CodeDeploy alike.
            _ => new AwsException("RequestEntityTooLargeException", $"Request must be smaller than {limit} bytes for the {(operation == "Invoke" ? "InvokeFunction" : operation)} operation{inflatedNote}", 413),
        };
    }

    /// <summary>
    /// Reads the body as sent, refusing it as soon as it is known to be larger than the limit: at once when
    /// Content-Length says so, or when the bytes read pass it. Memory grows with what arrived, in small pieces
    /// the GC can move and free, never with what a header claims.
    /// </summary>
    public async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // What is left unread past the limit Kestrel discards as it arrives (up to Drained), so a client still
        // sending reads the answer rather than a reset connection, as with AWS.
        if (request.ContentLength > MaxBytes)
        {
            return null;
        }

        const int PieceSize = 64 * 1024; // below the large object heap's threshold
        var pieces = new List<byte[]>();
        var piece = new byte[PieceSize];
        var filled = 0;
        long total = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(piece.AsMemory(filled), cancellationToken)) > 0)
            {
                total += read;
                if (total > MaxBytes)
                {
                    return null;
                }

                filled += read;
                if (filled == PieceSize)
                {
                    pieces.Add(piece);
                    piece = new byte[PieceSize];
                    filled = 0;
                }
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        var body = new byte[total];
        var offset = 0;
        foreach (var full in pieces)
        {
            full.CopyTo(body, offset);
            offset += full.Length;
        }

        piece.AsSpan(0, filled).CopyTo(body.AsSpan(offset));
        return body;
    }

    /// <summary>Inflates a gzip body (after its signature is verified) up to <see cref="Inflated"/> bytes; null past that.</summary>
    public static byte[]? Inflate(byte[] raw)
    {
        using var input = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > Inflated)
                {
                    return null;
                }

                output.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException)
        {
            throw new AwsException("SerializationException", "The request body is not valid gzip.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return output.ToArray();
    }
}
