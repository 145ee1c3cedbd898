//! File work for backups: listing a directory tree, copying while hashing, hashing, and
//! checking that a directory is empty. Blocking; callers run it off the async threads.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

const BUFFER: usize = 256 * 1024;

/// A failed file operation, naming the file.
pub fn io_error(path: &Path, err: &std::io::Error) -> Error {
    Error::Unavailable(format!("{}: {err}", path.display()))
}

/// Whether `dir` is missing or an empty directory. A file there counts as not empty.
pub fn is_empty_dir(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::NotADirectory => Ok(false),
        Err(err) => Err(io_error(dir, &err)),
    }
}

/// Every regular file under `dir`, as paths relative to it, sorted; none when `dir` is
/// missing. Hidden files (`.…`, such as an upload still being written) are left out.
pub fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(relative) = todo.pop() {
        let here = dir.join(&relative);
        let entries = match std::fs::read_dir(&here) {
            Ok(entries) => entries,
            Err(err)
                if err.kind() == std::io::ErrorKind::NotFound
                    && relative.as_os_str().is_empty() =>
            {
                return Ok(found);
            }
            Err(err) => return Err(io_error(&here, &err)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| io_error(&here, &e))?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type().map_err(|e| io_error(&entry.path(), &e))?;
            if kind.is_dir() {
                todo.push(relative.join(&name));
            } else if kind.is_file() {
                found.push(relative.join(&name));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Size and SHA-256 (lowercase hex) of a file.
pub fn hash(path: &Path) -> Result<(u64, String)> {
    let mut file = File::open(path).map_err(|e| io_error(path, &e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; BUFFER];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer).map_err(|e| io_error(path, &e))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

/// Copies `from` to a new file `to` (its directory made if needed), flushed to disk, and
/// returns the size and SHA-256 of what was copied. Fails if `to` exists.
pub fn copy(from: &Path, to: &Path) -> Result<(u64, String)> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
    }
    let mut source = File::open(from).map_err(|e| io_error(from, &e))?;
    let mut target = File::options()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|e| io_error(to, &e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; BUFFER];
    let mut size = 0u64;
    loop {
        let read = source.read(&mut buffer).map_err(|e| io_error(from, &e))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        target
            .write_all(&buffer[..read])
            .map_err(|e| io_error(to, &e))?;
        size += read as u64;
    }
    target.sync_all().map_err(|e| io_error(to, &e))?;
    Ok((size, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Removes what a failed backup or restore wrote into `dir`: the directory itself when this
/// run made it, otherwise everything in it (it was empty before).
pub fn clean_up(dir: &Path, made_dir: bool) {
    let result = if made_dir {
        std::fs::remove_dir_all(dir)
    } else {
        std::fs::read_dir(dir).and_then(|entries| {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    std::fs::remove_dir_all(&path)?;
                } else {
                    std::fs::remove_file(&path)?;
                }
            }
            Ok(())
        })
    };
    if let Err(err) = result {
        tracing::warn!(dir = %dir.display(), error = %err, "could not remove a partial result");
    }
}

/// Human-readable byte counts for progress and summaries: `3.4 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_hash_like_sha256sum_and_lists_skip_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/x.png"), b"abc").unwrap();
        std::fs::write(dir.path().join(".part"), b"half").unwrap();
        std::fs::write(dir.path().join("y.jpg"), b"").unwrap();
        assert_eq!(
            list(dir.path()).unwrap(),
            vec![PathBuf::from("a/b/x.png"), PathBuf::from("y.jpg")]
        );
        // printf abc | sha256sum
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(
            hash(&dir.path().join("a/b/x.png")).unwrap(),
            (3, abc.to_owned())
        );
        let copied = dir.path().join("copy/x.png");
        assert_eq!(
            copy(&dir.path().join("a/b/x.png"), &copied).unwrap(),
            (3, abc.to_owned())
        );
        assert!(
            copy(&dir.path().join("y.jpg"), &copied).is_err(),
            "never overwrites"
        );
        assert!(list(&dir.path().join("missing")).unwrap().is_empty());
        assert!(is_empty_dir(&dir.path().join("missing")).unwrap());
        assert!(!is_empty_dir(dir.path()).unwrap());
        assert!(!is_empty_dir(&copied).unwrap());
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(3 * 1024 * 1024 + 400 * 1024), "3.4 MiB");
    }
}
