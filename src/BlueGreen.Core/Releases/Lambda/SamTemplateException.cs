using System;
using System.Collections.Generic;

namespace BlueGreen.Core.Releases.Lambda;

/// <summary>A SAM template that could not be read, or that names no single function with a release policy.</summary>
public sealed class SamTemplateException : Exception
{
    public SamTemplateException(string errorId, ReleaseErrorKind kind, string message, string? source = null, int? line = null,
        IReadOnlyList<string>? candidates = null, string? recommendedAction = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        TemplateSource = source;
        Line = line;
        Candidates = candidates ?? Array.Empty<string>();
        RecommendedAction = recommendedAction;
    }

    public SamTemplateException()
        : this("SamTemplateInvalid", ReleaseErrorKind.InvalidArgument, "The SAM template could not be read.")
    {
    }

    public SamTemplateException(string message)
        : this("SamTemplateInvalid", ReleaseErrorKind.InvalidArgument, message)
    {
    }

    public SamTemplateException(string message, Exception innerException)
        : this("SamTemplateInvalid", ReleaseErrorKind.InvalidArgument, message, null, null, null, null, innerException)
    {
    }

    /// <summary>A stable PascalCase id: <c>SamTemplateNotFound</c>, <c>SamTemplateUnreadable</c>, <c>SamTemplateTooLarge</c>,
    /// <c>SamTemplateTooComplex</c>, <c>SamTemplateInvalid</c>, <c>SamFunctionNotFound</c>, <c>SamFunctionAmbiguous</c>,
    /// <c>SamNoDeploymentPreference</c> or <c>SamValueUnresolved</c>.</summary>
    public string ErrorId { get; }

    public ReleaseErrorKind Kind { get; }

    /// <summary>The template's path (or the name given to <see cref="SamTemplate.Parse"/>).</summary>
    public string? TemplateSource { get; }

    /// <summary>The 1-based line the problem is on, when there is one.</summary>
    public int? Line { get; }

    /// <summary>The functions the template offers, when the problem is which one to take.</summary>
    public IReadOnlyList<string> Candidates { get; }

    public string? RecommendedAction { get; }

    /// <summary>The same problem as the release error the cmdlets already turn into error records.</summary>
    public ReleaseException ToReleaseException() =>
        new(ErrorId, Kind, Message, TemplateSource, RecommendedAction, this);
}
