// The names and numbers of remote format v1: media types, annotations, the format version.

/** Bumped on any change a v1 reader could misread; readers refuse configs of other versions. */
export const FORMAT_VERSION = 1;

export const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const ARTIFACT_TYPE = 'application/vnd.dvol.commit.v1';
export const CONFIG_TYPE = 'application/vnd.dvol.commit.config.v1+json';
export const HISTORY_TYPE = 'application/vnd.dvol.history.v1+json';
export const INDEX_ROOT_TYPE = 'application/vnd.dvol.index.root.v1+json';
export const INDEX_LEAF_TYPE = 'application/vnd.dvol.index.leaf.v1+json';
export const PACK_TYPE = 'application/vnd.dvol.pack.v1';
export const EMPTY_TYPE = 'application/vnd.oci.empty.v1+json';

/** On a pack's descriptor: the byte length of its footer, so a pull reads it with one range GET. */
export const FOOTER_ANNOTATION = 'io.dvol.pack.footer-length';
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';

/** The OCI empty blob `{}`: the one layer of a commit whose data was deleted. */
export const EMPTY_BLOB = Buffer.from('{}');
