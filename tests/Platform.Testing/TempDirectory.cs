namespace Platform.Testing;

/// <summary>
/// A fresh, empty folder under the system temp folder (e.g. for SQLite files), deleted on <see cref="Dispose"/>.
/// </summary>
/// <example><code>
/// using var temp = new TempDirectory();
/// var connectionString = $"Data Source={temp.File("test.db")}";
/// </code></example>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates <c>$TMPDIR/platform-tests/&lt;prefix&gt;-&lt;random&gt;</c>.</summary>
    public TempDirectory(string prefix = "tmp")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "platform-tests");
        System.IO.Directory.CreateDirectory(root);
        Path = System.IO.Path.Combine(root, $"{prefix}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Path);
    }

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Full path of <paramref name="relativePath"/> inside the folder (the file is not created).</summary>
    public string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    /// <summary>Creates (if needed) and returns a sub folder.</summary>
    public string SubDirectory(string relativePath) => System.IO.Directory.CreateDirectory(File(relativePath)).FullName;

    public override string ToString() => Path;

    /// <summary>
    /// Deletes the folder with everything in it. Retries briefly (files still held open, e.g. by a SQLite
    /// connection pool on Windows) and never throws: a leftover temp folder must not fail a test.
    /// Clear SQLite pools (<c>SqliteConnection.ClearAllPools()</c>) before disposing if the files must go.
    /// </summary>
    public void Dispose()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (System.IO.Directory.Exists(Path))
                {
                    System.IO.Directory.Delete(Path, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(50 * (attempt + 1));
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(50 * (attempt + 1));
            }
        }
    }
}
