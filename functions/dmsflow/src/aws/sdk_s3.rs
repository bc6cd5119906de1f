//! [`Objects`] for the S3 SDK client. Errors are classified by [`classify`]
//! (`NoSuchKey`, `NoSuchBucket`: S3 API reference, "Error responses").

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;

use super::fault::{AwsFault, AwsResult, classify};
use super::objects::Objects;

impl Objects for Client {
    async fn get(&self, bucket: &str, key: &str) -> AwsResult<Vec<u8>> {
        let answer = self
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(classify)?;
        let body = answer
            .body
            .collect()
            .await
            .map_err(|e| AwsFault::Unavailable(format!("reading s3://{bucket}/{key}: {e}")))?;
        Ok(body.into_bytes().to_vec())
    }

    async fn put_json(&self, bucket: &str, key: &str, body: String) -> AwsResult<()> {
        self.put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(body.into_bytes()))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}
