//! The narrow view of S3 the PrepareWave function uses: read a wave's manifest,
//! write its prepared runs. Implemented for the SDK client in `sdk_s3`.

use std::future::Future;

use super::fault::AwsResult;

/// Reading and writing whole objects of one bucket.
pub trait Objects: Sync {
    /// The object's bytes.
    fn get(&self, bucket: &str, key: &str) -> impl Future<Output = AwsResult<Vec<u8>>> + Send;

    /// Writes `body` (JSON) as the object `key`, replacing any.
    fn put_json(
        &self,
        bucket: &str,
        key: &str,
        body: String,
    ) -> impl Future<Output = AwsResult<()>> + Send;
}
