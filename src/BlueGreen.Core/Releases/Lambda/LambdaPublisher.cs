using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using BlueGreen.Aws.Configuration;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Lambda.Model;
using BlueGreen.Aws.Runtime;

namespace BlueGreen.Core.Releases.Lambda;

/// <summary>What a function's unqualified configuration says before new code goes up.</summary>
public sealed class LambdaFunctionState
{
    public LambdaFunctionState(string functionName, string? packageType, string? revisionId, string? codeSha256, string? lastUpdateStatus)
    {
        FunctionName = functionName;
        PackageType = packageType;
        RevisionId = revisionId;
        CodeSha256 = codeSha256;
        LastUpdateStatus = lastUpdateStatus;
    }

    public string FunctionName { get; }

    /// <summary><c>Zip</c> or <c>Image</c>.</summary>
    public string? PackageType { get; }

    public string? RevisionId { get; }

    public string? CodeSha256 { get; }

    public string? LastUpdateStatus { get; }
}

/// <summary>A version published from new code.</summary>
public sealed class LambdaPublishedVersion
{
    public LambdaPublishedVersion(string version, string codeSha256, bool adopted)
    {
        Version = version;
        CodeSha256 = codeSha256;
        Adopted = adopted;
    }

    public string Version { get; }

    public string CodeSha256 { get; }

    /// <summary>The answer to PublishVersion was lost, and the version it made was found and taken rather than published again.</summary>
    public bool Adopted { get; }
}

/// <summary>
/// Puts new code up as a Lambda version, for every engine that releases Lambda aliases: UpdateFunctionCode (a zip, an
/// image or an S3 object) guarded by the function's RevisionId, a wait until the update is Successful, and
/// PublishVersion guarded by the RevisionId and CodeSha256 the update left, so that a change by anyone in between
/// is refused, not published. A lost answer never publishes twice: the versions are looked through for the one
/// carrying this code and this publication's marker first.
/// </summary>
public sealed class LambdaPublisher
{
    private readonly AwsContext _context;
    private readonly LambdaClient _lambda;

    public LambdaPublisher(AwsContext context)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _lambda = new LambdaClient(context);
    }

    /// <summary>How long a code update may stay InProgress before the publication gives up.</summary>
    public TimeSpan UpdateTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the update's status is read while it runs.</summary>
    public TimeSpan UpdatePoll { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>What is wrong with a code source, or null: exactly one of a zip, an image or an S3 bucket and key.</summary>
    public static string? Validate(LambdaCodeSource? code)
    {
        if (code is null)
        {
            return "No code was given.";
        }

        var sources = (code.ZipFile is not null ? 1 : 0) + (code.ImageUri is not null ? 1 : 0) + (code.S3Bucket is not null || code.S3Key is not null ? 1 : 0);
        if (sources != 1)
        {
            return "Give the new code as exactly one of a zip file, an image URI, or an S3 bucket and key.";
        }

        if (code.ZipFile is { Length: 0 })
        {
            return $"The zip file {code.ZipPath} is empty.";
        }

        if ((code.S3Bucket is null) != (code.S3Key is null))
        {
            return "An S3 object needs both its bucket and its key.";
        }

        return code.ImageUri is { Length: 0 } ? "The image URI is empty." : null;
    }

    /// <summary>Lambda's CodeSha256 of a zip (base64 of its SHA-256); null for code the module does not hold (image, S3).</summary>
    public static string? CodeSha256Of(LambdaCodeSource code)
    {
        if (code?.ZipFile is null)
        {
            return null;
        }

        using var sha = SHA256.Create();
        return Convert.ToBase64String(sha.ComputeHash(code.ZipFile));
    }

    /// <summary>Reads the function (unqualified): its package type, revision and update status. Only reads.</summary>
    public async Task<LambdaFunctionState> ReadAsync(string functionName, CancellationToken cancellationToken)
    {
        try
        {
            var configuration = await _lambda.GetFunctionConfigurationAsync(new GetFunctionConfigurationRequest { FunctionName = functionName }, cancellationToken).ConfigureAwait(false);
            return new LambdaFunctionState(configuration.FunctionName ?? functionName, configuration.PackageType, configuration.RevisionId, configuration.CodeSha256, configuration.LastUpdateStatus);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == LambdaErrorCode.ResourceNotFoundException)
        {
            throw new ReleaseException("FunctionNotFound", ReleaseErrorKind.ObjectNotFound, $"No Lambda function '{functionName}' exists in {_context.Region}.", functionName,
                "Check -FunctionName, and that -Region (and -EndpointUrl) point where the function is.", ex);
        }
    }

    /// <summary>Checks code against the function before anything changes: the package type must match, and no update may be running.</summary>
    public static void CheckFits(LambdaFunctionState function, LambdaCodeSource code)
    {
        if (function is null || code is null)
        {
            throw new ArgumentNullException(function is null ? nameof(function) : nameof(code));
        }

        if (Validate(code) is { } problem)
        {
            throw new ReleaseException("InvalidCode", ReleaseErrorKind.InvalidArgument, problem, code.ToString(), "Use one of -ZipFile, -ImageUri, or -S3Bucket with -S3Key.");
        }

        var image = code.ImageUri is not null;
        if (function.PackageType is { } type && (type == "Image") != image)
        {
            throw new ReleaseException("WrongPackageType", ReleaseErrorKind.InvalidArgument,
                $"The function '{function.FunctionName}' is of package type {type}: its code is {(type == "Image" ? "an image (-ImageUri)" : "a zip (-ZipFile or -S3Bucket/-S3Key)")}, not {(image ? "an image" : "a zip")}.",
                function.FunctionName, type == "Image" ? "Give the new code with -ImageUri." : "Give the new code with -ZipFile or -S3Bucket and -S3Key.");
        }

        if (function.LastUpdateStatus == "InProgress")
        {
            throw new ReleaseException("FunctionUpdateInProgress", ReleaseErrorKind.InvalidOperation,
                $"An update of function '{function.FunctionName}' is in progress: new code cannot go up until it ends.", function.FunctionName,
                "Wait until 'aws lambda get-function-configuration' shows LastUpdateStatus Successful, then start again.");
        }
    }

    /// <summary>Updates the code (only when the function is still at <paramref name="expectedRevisionId"/>), waits for the update,
    /// and publishes it. <paramref name="marker"/> goes in the version's description and identifies this publication when an
    /// answer is lost.</summary>
    public async Task<LambdaPublishedVersion> PublishAsync(string functionName, LambdaCodeSource code, string? expectedRevisionId, string marker, string? description,
        CancellationToken cancellationToken)
    {
        if (code is null)
        {
            throw new ArgumentNullException(nameof(code));
        }

        if (Validate(code) is { } problem)
        {
            throw new ReleaseException("InvalidCode", ReleaseErrorKind.InvalidArgument, problem, code.ToString());
        }

        var localSha = CodeSha256Of(code);
        string? updatedSha;
        try
        {
            var updated = await _lambda.UpdateFunctionCodeAsync(new UpdateFunctionCodeRequest
            {
                FunctionName = functionName,
                ZipFile = code.ZipFile,
                ImageUri = code.ImageUri,
                S3Bucket = code.S3Bucket,
                S3Key = code.S3Key,
                S3ObjectVersion = code.S3ObjectVersion,
                RevisionId = expectedRevisionId,
            }, cancellationToken).ConfigureAwait(false);
            updatedSha = updated.CodeSha256;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == LambdaErrorCode.PreconditionFailedException && ex.Attempts == 1 && !ex.OutcomeUnknown)
        {
            // Refused at the first sending: the function changed since it was read, by someone else.
            throw Changed(functionName, "before its new code was uploaded", ex);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == LambdaErrorCode.PreconditionFailedException || ex.OutcomeUnknown)
        {
            // A retry after a lost answer finds the revision moved on by that very update: it is ours when $LATEST holds this zip.
            var now = await ReadAsync(functionName, cancellationToken).ConfigureAwait(false);
            if (localSha is null || now.CodeSha256 != localSha)
            {
                throw Changed(functionName, "while its new code was being uploaded", ex);
            }

            updatedSha = now.CodeSha256;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == LambdaErrorCode.ResourceConflictException)
        {
            throw new ReleaseException("FunctionUpdateInProgress", ReleaseErrorKind.InvalidOperation,
                $"Lambda refused the new code of '{functionName}': {ex.Message}", functionName, "Wait until the function's update in progress ends, then start again.", ex);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is LambdaErrorCode.InvalidParameterValueException or "ValidationException" or LambdaErrorCode.CodeStorageExceededException
            or LambdaErrorCode.RequestTooLargeException or LambdaErrorCode.InvalidZipFileException)
        {
            throw new ReleaseException("CodeRejected", ReleaseErrorKind.InvalidArgument, $"Lambda refused the new code of '{functionName}' ({code}): {ex.Message}", code.ToString(),
                "Check the code: a zip Lambda can unpack, an image in ECR, or an S3 object in the function's region.", ex);
        }

        var settled = await WaitForUpdateAsync(functionName, cancellationToken).ConfigureAwait(false);
        var sha = settled.CodeSha256 ?? updatedSha ?? string.Empty;
        if (updatedSha is not null && settled.CodeSha256 is not null && settled.CodeSha256 != updatedSha)
        {
            throw Changed(functionName, "while its code update ran", null);
        }

        var versionDescription = string.IsNullOrEmpty(description) ? marker : $"{description} ({marker})";
        if (versionDescription.Length > 256)
        {
            versionDescription = versionDescription.Substring(versionDescription.Length - 256);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var published = await _lambda.PublishVersionAsync(new PublishVersionRequest
                {
                    FunctionName = functionName,
                    CodeSha256 = sha.Length > 0 ? sha : null,
                    RevisionId = settled.RevisionId,
                    Description = versionDescription,
                }, cancellationToken).ConfigureAwait(false);
                return new LambdaPublishedVersion(published.Version ?? throw new ReleaseException("NoVersion", ReleaseErrorKind.InvalidOperation, "Lambda published a version but named none."), sha, adopted: false);
            }
            catch (AwsServiceException ex) when (ex.OutcomeUnknown)
            {
                var found = await FindPublishedAsync(functionName, sha, marker, cancellationToken).ConfigureAwait(false);
                if (found is not null)
                {
                    return new LambdaPublishedVersion(found, sha, adopted: true);
                }

                if (attempt >= Math.Max(1, _context.RetryPolicy.MaxAttempts))
                {
                    throw new ReleaseException("PublishOutcomeUnknown", ReleaseErrorKind.InvalidOperation,
                        $"The new code of '{functionName}' is uploaded, but publishing it as a version failed: Lambda's answer was lost {attempt} times in a row ({ex.ErrorCode}), and no version carries it.",
                        functionName, "Run Start-BlueGreenDeployment again with the same code: it publishes the code that is already uploaded.", ex);
                }

                await Task.Delay(_context.RetryPolicy.DelayBefore(attempt, throttled: false), cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException ex) when (ex.ErrorCode is LambdaErrorCode.PreconditionFailedException or LambdaErrorCode.InvalidParameterValueException)
            {
                throw Changed(functionName, "between its code update and the publication", ex);
            }
        }
    }

    private async Task<GetFunctionConfigurationResponse> WaitForUpdateAsync(string functionName, CancellationToken cancellationToken)
    {
        var giveUpAt = DateTime.UtcNow + UpdateTimeout;
        while (true)
        {
            var configuration = await _lambda.GetFunctionConfigurationAsync(new GetFunctionConfigurationRequest { FunctionName = functionName }, cancellationToken).ConfigureAwait(false);
            switch (configuration.LastUpdateStatus)
            {
                case null or "Successful":
                    return configuration;
                case "Failed":
                    throw new ReleaseException("CodeUpdateFailed", ReleaseErrorKind.InvalidOperation,
                        $"Lambda could not take the new code of '{functionName}': {configuration.LastUpdateStatusReasonCode} {configuration.LastUpdateStatusReason}".TrimEnd(), functionName,
                        "Fix the code (or the function's settings the reason names) and start again; nothing was published and the alias was not changed.");
            }

            if (DateTime.UtcNow >= giveUpAt)
            {
                throw new ReleaseException("CodeUpdateTimedOut", ReleaseErrorKind.OperationTimeout,
                    $"The code update of '{functionName}' was still {configuration.LastUpdateStatus} after {UpdateTimeout.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} minutes.", functionName,
                    "Start again once 'aws lambda get-function-configuration' shows LastUpdateStatus Successful: the code that is up then is published.");
            }

            await Task.Delay(UpdatePoll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The newest version carrying this code and this publication's marker; null when none does.</summary>
    private async Task<string?> FindPublishedAsync(string functionName, string sha, string marker, CancellationToken cancellationToken)
    {
        var pages = await _lambda.ListVersionsByFunctionAllPagesAsync(new ListVersionsByFunctionRequest { FunctionName = functionName }, cancellationToken).ConfigureAwait(false);
        return pages.SelectMany(p => p.Versions ?? new List<FunctionConfiguration>())
            .Where(v => v.Version is not null && v.Version != "$LATEST" && v.CodeSha256 == sha && (v.Description ?? string.Empty).Contains(marker))
            .OrderByDescending(v => long.TryParse(v.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .Select(v => v.Version)
            .FirstOrDefault();
    }

    private static ReleaseException Changed(string functionName, string when, Exception? inner) =>
        new("FunctionChanged", ReleaseErrorKind.InvalidOperation,
            $"The function '{functionName}' was changed by someone else {when}: nothing was published and no release was started, so that change is not released by mistake.", functionName,
            "Look at the function's code and configuration, then run Start-BlueGreenDeployment again: it plans against the function as it is then.", inner);
}
